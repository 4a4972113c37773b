import Foundation
import HeduiModel

/// The machine-readable form of one exchange layout, read from `Schemas/<kind>.json`.
///
/// Field names are the CSV header names; `xml` names the element or attribute of the
/// XML layout. Types and rules drive validation (`RecordDecoder`), so a provider's
/// new header spelling is added with an `aliases` entry, not with code.
public struct RecordLayout: Sendable, Decodable {
    public struct XMLShape: Sendable, Decodable {
        public var root: String
        public var parent: String?
        public var record: String
        public var rootAttributes: [String]?

        enum CodingKeys: String, CodingKey {
            case root, parent, record
            case rootAttributes = "root_attributes"
        }
    }

    /// Where a field sits in the XML layout.
    public enum XMLOrigin: String, Sendable, Decodable {
        case element
        case attribute
        case parentAttribute = "parent_attribute"
    }

    /// The value types of the exchange formats.
    public enum FieldType: String, Sendable, Decodable {
        case idNumber = "id_number"
        case name
        case text
        case identifier
        case enumeration = "enum"
        case money
        case currency
        case date
        case month
        case decimal
        case integer
        case flag
        case regionCode = "region_code"
    }

    public struct Field: Sendable, Decodable {
        public var name: String
        public var xml: String?
        public var xmlOrigin: XMLOrigin?
        public var type: FieldType
        public var required: Bool
        public var values: [String]?
        public var maxLength: Int?
        public var negativeAllowed: Bool?
        public var places: Int?
        public var minExclusive: String?
        /// Upper bound: a decimal's as text (`"1"`), an integer's as a number; both read as text.
        public var max: String? { maxBound?.text }
        var maxBound: NumberText?
        public var min: Int?
        public var defaultValue: String?
        public var aliases: [String]?

        enum CodingKeys: String, CodingKey {
            case name, xml, type, required, values, places, min, aliases
            case maxBound = "max"
            case xmlOrigin = "xml_origin"
            case maxLength = "max_length"
            case negativeAllowed = "negative_allowed"
            case minExclusive = "min_exclusive"
            case defaultValue = "default"
        }

        /// Header names that find this column (lower-cased, trimmed).
        public var headerNames: [String] { [name.lowercased()] + (aliases ?? []).map { $0.lowercased() } }
    }

    public var layout: String
    public var version: Int
    public var description: String
    public var xml: XMLShape?
    public var fields: [Field]

    /// The source kind this layout is for.
    public var kind: SourceKind? { SourceKind(rawValue: layout) }

    /// Index of the field named `name`.
    public func index(of name: String) -> Int? { fields.firstIndex { $0.name == name } }
}

/// A JSON value given as a number or as text, kept as text.
struct NumberText: Sendable, Decodable {
    var text: String
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            text = string
        } else {
            text = String(try container.decode(Int.self))
        }
    }
}

/// The layouts the engine knows: those of `Schemas/`, built in, one per source kind.
public struct LayoutCatalog: Sendable {
    public var layouts: [SourceKind: RecordLayout]

    public init(layouts: [SourceKind: RecordLayout]) { self.layouts = layouts }

    public subscript(kind: SourceKind) -> RecordLayout { layouts[kind]! }

    /// The layouts of `Schemas/`, compiled in (see `BuiltinSchemas.swift`, made by `scripts/gen-layouts`).
    public static let builtin: LayoutCatalog = {
        do {
            return try LayoutCatalog(jsonTexts: BuiltinSchemas.json)
        } catch {
            fatalError("built-in schema is invalid: \(error)")
        }
    }()

    /// Reads the layouts from JSON texts keyed by file name.
    public init(jsonTexts: [String: String]) throws {
        var layouts: [SourceKind: RecordLayout] = [:]
        for (file, text) in jsonTexts.sorted(by: { $0.key < $1.key }) {
            let layout: RecordLayout
            do {
                layout = try JSONDecoder().decode(RecordLayout.self, from: Data(text.utf8))
            } catch {
                throw SchemaError(file: file, message: "not a valid layout: \(error)")
            }
            guard let kind = layout.kind else {
                throw SchemaError(file: file, message: "unknown layout '\(layout.layout)'")
            }
            try RecordDecoderPlan.check(layout, kind: kind, file: file)
            layouts[kind] = layout
        }
        for kind in SourceKind.allCases where layouts[kind] == nil {
            throw SchemaError(file: "Schemas/", message: "no layout for \(kind.rawValue)")
        }
        self.layouts = layouts
    }

    /// Reads every `*.json` layout of a folder (e.g. the repository's `Schemas/`).
    public static func load(directory: String) throws -> LayoutCatalog {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
        var texts: [String: String] = [:]
        for name in names {
            texts[name] = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
        }
        return try LayoutCatalog(jsonTexts: texts)
    }
}

/// A layout file that the engine cannot use.
public struct SchemaError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
}
