/// A policy file that cannot be used, with where and why.
///
/// `description` reads like a compiler diagnostic:
/// `policy.yaml:14: regions.330902.standards[1].from: not a date (use YYYY-MM-DD)`.
/// Policy files hold no personal data, so messages may quote the offending text.
public struct PolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as it was named to `PolicyTable.load` (or the `fileName` given to `init(yaml:fileName:)`).
    public var file: String
    /// 1-based line of the offending node, when known.
    public var line: Int?
    /// Dotted path of the offending key, e.g. `regions.330902.standards[1].from`; empty for the whole file.
    public var keyPath: String
    /// What is wrong and, where it helps, what is allowed.
    public var message: String

    public init(file: String, line: Int?, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if !keyPath.isEmpty { text += keyPath + ": " }
        return text + message
    }
}
