import Foundation
import HeduiModel

/// The format of an exchange file, from its name.
public enum FileFormat: String, Sendable { case csv, xml }

/// One data file of the inbox, classified by its name (exchange-formats.md, "The batch inbox").
public struct InboxFile: Sendable, Hashable {
    /// Position in the inbox's file list (sorted by name); records point back here.
    public var index: Int32
    public var name: String
    public var path: String
    public var kind: SourceKind
    public var format: FileFormat
    public var compressed: Bool
    public var size: Int64
    /// The path of its `.chk` control file, when one was delivered.
    public var controlPath: String?

    public init(
        index: Int32, name: String, path: String, kind: SourceKind, format: FileFormat, compressed: Bool,
        size: Int64, controlPath: String?
    ) {
        self.index = index
        self.name = name
        self.path = path
        self.kind = kind
        self.format = format
        self.compressed = compressed
        self.size = size
        self.controlPath = controlPath
    }
}

/// The files of one batch inbox folder.
public struct Inbox: Sendable {
    public var directory: String
    /// Data files, sorted by name.
    public var files: [InboxFile]
    /// Names that match no pattern: reported and ignored, never guessed.
    public var ignored: [String]

    /// Lists and classifies the files of `directory` (not recursive; hidden files are skipped).
    public init(directory: String) throws {
        self.directory = directory
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { !$0.hasPrefix(".") }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let nameSet = Set(names)
        var files: [InboxFile] = []
        var ignored: [String] = []
        for name in names {
            let path = directory + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                ignored.append(name)
                continue
            }
            if name.hasSuffix(".chk") {
                if !nameSet.contains(String(name.dropLast(4))) { ignored.append(name) }
                continue
            }
            guard let (kind, format, compressed) = Inbox.classify(name) else {
                ignored.append(name)
                continue
            }
            let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
            files.append(
                InboxFile(
                    index: Int32(files.count), name: name, path: path, kind: kind, format: format, compressed: compressed,
                    size: size, controlPath: nameSet.contains(name + ".chk") ? path + ".chk" : nil))
        }
        self.files = files
        self.ignored = ignored
    }

    /// The kind and format a file name gives: `bank*.csv[.gz]`, `roster*.xml[.gz]`, `inspectors.csv[.gz]`, ...
    public static func classify(_ name: String) -> (SourceKind, FileFormat, Bool)? {
        var base = Substring(name)
        let compressed = base.hasSuffix(".gz")
        if compressed { base = base.dropLast(3) }
        let format: FileFormat
        if base.hasSuffix(".csv") { format = .csv } else if base.hasSuffix(".xml") { format = .xml } else { return nil }
        let stem = base.dropLast(4)
        if stem == "inspectors" { return format == .csv ? (.inspectors, .csv, compressed) : nil }
        for kind in [SourceKind.roster, .bank, .tax, .vehicle, .property] where stem.hasPrefix(kind.rawValue) {
            return (kind, format, compressed)
        }
        return nil
    }
}

/// A `.chk` control file: `records=<N>` and `sha256=<hex>` of the data file as delivered.
public struct ControlTotals: Sendable, Equatable {
    public var records: Int
    public var sha256: String

    /// Reads a control file; nil with a message when it is not two `key=value` lines.
    public static func read(path: String) -> Result<ControlTotals, FieldProblem> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return .failure(FieldProblem(.controlInvalid, "the control file cannot be read as text"))
        }
        var records: Int?
        var sha: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else {
                return .failure(FieldProblem(.controlInvalid, "control file line is not key=value"))
            }
            switch parts[0].lowercased() {
            case "records": records = Int(parts[1])
            case "sha256": sha = parts[1].lowercased()
            default: return .failure(FieldProblem(.controlInvalid, "control file has an unknown key '\(parts[0].prefix(20))'"))
            }
        }
        guard let records, records >= 0 else {
            return .failure(FieldProblem(.controlInvalid, "control file lacks records=<N>"))
        }
        guard let sha, sha.count == 64, sha.allSatisfy(\.isHexDigit) else {
            return .failure(FieldProblem(.controlInvalid, "control file lacks sha256=<64 hex digits>"))
        }
        return .success(ControlTotals(records: records, sha256: sha))
    }
}
