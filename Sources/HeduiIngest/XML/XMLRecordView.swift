/// One record as seen by the consumer of an `XMLRecordReader`.
///
/// Field values are UTF-8 bytes that point into the reader's reusable buffers: they are valid
/// only during the `onRecord` callback. Copy what you need to keep.
public struct XMLRecordView {
    /// 1-based index of the record among the file's records.
    public let index: Int
    /// Line of the record's start tag (libxml2's line at the end of the start tag, as for a DOM node).
    public let line: Int
    /// Child elements of the record that are not fields of the layout (ignored, counted).
    public let unknownChildren: Int

    @usableFromInline let recordBase: UnsafeMutablePointer<UInt8>
    @usableFromInline let parentBase: UnsafeMutablePointer<UInt8>
    @usableFromInline let starts: UnsafeMutablePointer<Int>
    /// -1 = absent.
    @usableFromInline let lengths: UnsafeMutablePointer<Int>
    @usableFromInline let fromParent: UnsafeMutablePointer<Bool>
    @usableFromInline let fieldCount: Int

    init(
        index: Int, line: Int, unknownChildren: Int,
        recordBase: UnsafeMutablePointer<UInt8>, parentBase: UnsafeMutablePointer<UInt8>,
        starts: UnsafeMutablePointer<Int>, lengths: UnsafeMutablePointer<Int>,
        fromParent: UnsafeMutablePointer<Bool>, fieldCount: Int
    ) {
        self.index = index
        self.line = line
        self.unknownChildren = unknownChildren
        self.recordBase = recordBase
        self.parentBase = parentBase
        self.starts = starts
        self.lengths = lengths
        self.fromParent = fromParent
        self.fieldCount = fieldCount
    }

    /// Number of fields of the layout.
    public var count: Int { fieldCount }

    /// The UTF-8 value of field `field` (index into `XMLRecordLayout.fields`):
    /// nil when the element/attribute is absent, empty when present but empty. Element text is
    /// the concatenated character data of the element (entities, character references and CDATA
    /// decoded), not trimmed. Valid only during the callback.
    @inlinable
    public func value(_ field: Int) -> UnsafeRawBufferPointer? {
        precondition(field >= 0 && field < fieldCount, "field index out of range")
        let length = lengths[field]
        if length < 0 { return nil }
        let base = fromParent[field] ? parentBase : recordBase
        return UnsafeRawBufferPointer(start: base + starts[field], count: length)
    }

    /// Convenience (allocates): the value decoded as a String (invalid UTF-8 repaired).
    public func string(_ field: Int) -> String? {
        guard let bytes = value(field) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
