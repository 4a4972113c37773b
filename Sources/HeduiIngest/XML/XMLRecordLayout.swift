/// Where a field's value is found, relative to the record element.
public enum XMLFieldOrigin: Sendable, Hashable {
    /// Text content of a direct child element of the record element (`<account><name>..</name></account>`).
    case childElement
    /// Attribute of the record element (`<member name="..">`).
    case attribute
    /// Attribute of the parent element (`<household id="..">` for the roster). For flat layouts
    /// (`parentElement == nil`) the document (root) element plays the role of the parent.
    case parentAttribute
}

/// One field of a record layout.
public struct XMLFieldSpec: Sendable, Hashable {
    /// Local name of the element or attribute, e.g. "idNumber"; for `.parentAttribute` of the
    /// household e.g. "id". Namespaces are ignored: names are matched on the local name only.
    public var element: String
    public var origin: XMLFieldOrigin

    public init(element: String, origin: XMLFieldOrigin) {
        self.element = element
        self.origin = origin
    }
}

/// The shape of one kind of exchange file.
///
/// Flat: `<accounts><account><idNumber>..</idNumber>..</account>..</accounts>`
/// (`parentElement == nil`, records are direct children of the root).
/// Nested: `<roster><household ..><member ..>..</member>..</household>..</roster>`
/// (`parentElement == "household"`, records are direct children of a parent, which are direct
/// children of the root).
public struct XMLRecordLayout: Sendable {
    /// Document element, e.g. "accounts", "roster".
    public var rootElement: String
    /// "household" for the roster, nil for flat layouts.
    public var parentElement: String?
    /// "account", "member".
    public var recordElement: String
    /// Field i of a record is `fields[i]`.
    public var fields: [XMLFieldSpec]
    /// Attributes of the root element to capture, e.g. ["asOf"].
    public var rootAttributes: [String]

    public init(
        rootElement: String,
        parentElement: String? = nil,
        recordElement: String,
        fields: [XMLFieldSpec],
        rootAttributes: [String] = []
    ) {
        self.rootElement = rootElement
        self.parentElement = parentElement
        self.recordElement = recordElement
        self.fields = fields
        self.rootAttributes = rootAttributes
    }
}

/// A failure reading an XML exchange file. `message` is a single line and never contains
/// element text or attribute values (they may be personal data), only names, line numbers and
/// libxml2's diagnostic (with any raw input bytes removed).
public struct XMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case malformed = "XML_MALFORMED"
        case dtdForbidden = "XML_DTD_FORBIDDEN"
        case wrongRoot = "XML_WRONG_ROOT"
        case encoding = "ENCODING_INVALID"
    }

    public var code: Code
    /// 1-based line in the (decoded) document; 0 when unknown.
    public var line: Int
    public var message: String

    public init(code: Code, line: Int, message: String) {
        self.code = code
        self.line = line
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
