internal import CLibXML2

/// Streaming reader of record-oriented XML exchange files on libxml2's SAX2 pull parser.
///
/// `parse` runs libxml2 over the whole document, which libxml2 reads through a callback that
/// pulls the caller's pieces of input (any size, down to 1 byte). Each complete record element
/// is delivered to `onRecord` as an `XMLRecordView` whose values point into reusable buffers
/// (no allocation per record in steady state).
///
/// Security: no network, no DTD loading, no entity substitution; any DOCTYPE (internal or
/// external subset) stops the parse with `.dtdForbidden` before its declarations are read, so
/// "billion laughs" and XXE documents are rejected without expanding or reading anything. Any
/// reference to an entity other than the five predefined ones is `.dtdForbidden` too; character
/// references work. libxml2 diagnostics never reach stderr: they are captured per parser context
/// (and, for context-less errors such as iconv failures, through the thread-local structured
/// handler, installed only while this reader parses on the current thread).
///
/// Structure policy:
/// - the document element must be `layout.rootElement` (else `.wrongRoot`);
/// - records are direct children of the root (flat) or of a `parentElement` that is a direct
///   child of the root (nested). A record element (or parent element) found anywhere else —
///   nested in a record, inside an unknown element, a member directly under the roster — is
///   `.malformed` ("misplaced"): records are never silently dropped;
/// - other elements outside records (e.g. a header) are skipped with their content;
/// - child elements of a record that are not layout fields are skipped and counted
///   (`unknownChildren`); a field's value is the concatenated character data of the field element
///   and its descendants; if a field element occurs twice in a record, the last one wins;
///   character data directly inside the record element is ignored;
/// - names are matched on the local name (namespace prefixes/URIs are ignored);
/// - one record may hold at most `maxRecordBytes` of field data (else `.malformed`); libxml2's
///   default limits (no huge mode: depth 256, 10 MB names/text nodes) apply as well.
///
/// Not thread-safe itself; use one reader per file — readers on different threads are fine.
public final class XMLRecordReader {
    /// Upper bound of field data per record (and of the parent's attribute data).
    public static let maxRecordBytes = 16 << 20

    private static let libxmlInitialized: Void = { xmlInitParser() }()

    private let core: UnsafeMutablePointer<ReaderCore>

    public init(layout: XMLRecordLayout, onRecord: @escaping (XMLRecordView) throws -> Void) {
        _ = XMLRecordReader.libxmlInitialized
        core = UnsafeMutablePointer<ReaderCore>.allocate(capacity: 1)
        core.initialize(to: ReaderCore(layout: layout, onRecord: onRecord))
        core.pointee.createContext(userData: UnsafeMutableRawPointer(core))
    }

    deinit {
        core.pointee.release()
        core.deinitialize(count: 1)
        core.deallocate()
    }

    /// Attributes of the root element listed in `layout.rootAttributes` that were present.
    public var rootAttributeValues: [String: String] { core.pointee.rootAttributeValues }

    /// Records delivered so far.
    public var recordCount: Int { core.pointee.recordCount }

    /// Parses the whole document, which libxml2 pulls through `next`: each call returns the next
    /// piece of the document (any size, valid until the following call; empty pieces are
    /// skipped), or nil at its end. Records are delivered to `onRecord` as they are parsed.
    ///
    /// Throws the first error: an `XMLError` (`.malformed` also when the document is
    /// incomplete), or the error thrown by `onRecord` or by `next`, unchanged. Once an error is
    /// met no more input is pulled and no more records are delivered; an error from `next`
    /// (e.g. a gzip error) is thrown as it is, never turned into an XML error. A reader parses
    /// one document: a second call rethrows the first one's error, or throws `.malformed`.
    public func parse(_ next: () throws -> UnsafeRawBufferPointer?) throws {
        precondition(!core.pointee.delivering, "XMLRecordReader.parse called from inside onRecord")
        try core.pointee.throwIfFailed()
        if core.pointee.parsed {
            throw XMLError(
                code: .malformed, line: core.pointee.currentLine,
                message: "XML reader: a reader parses one document")
        }
        core.pointee.parsed = true
        withoutActuallyEscaping(next) { next in
            core.pointee.input = next
            ReaderCore.parseDocument(core)
            core.pointee.input = nil
        }
        try core.pointee.throwIfFailed()
        if !core.pointee.rootClosed {
            let root = core.pointee.rootNameString
            let line = core.pointee.currentLine
            let error = XMLError(
                code: .malformed, line: line,
                message: "line \(line): XML not well-formed: document ended before </\(root)>")
            core.pointee.failure = .xml(error)
            throw error
        }
    }

    /// Parses a document held in memory (tests, small inputs), handing it to libxml2 in pieces
    /// of at most `pieceSize` bytes.
    public func parse(_ bytes: some Collection<UInt8>, pieceSize: Int = .max) throws {
        precondition(pieceSize > 0)
        let copy = Array(bytes)
        try copy.withUnsafeBytes { all in
            var offset = 0
            try parse {
                guard offset < all.count else { return nil }
                let n = min(pieceSize, all.count - offset)
                defer { offset += n }
                return UnsafeRawBufferPointer(rebasing: all[offset..<(offset + n)])
            }
        }
    }

    /// libxml2 version the shim was compiled against, e.g. "2.9.14".
    public static var libxml2Version: String { String(cString: hedui_xml_parser_version()) }
}

// MARK: - Core state (lives in unsafe memory: no exclusivity checks / refcounting on the hot path)

private enum Failure {
    case xml(XMLError)
    case user(any Error)
}

private struct ByteBuffer {
    var base: UnsafeMutablePointer<UInt8>
    var count = 0
    var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    }

    func release() { base.deallocate() }

    /// false if the limit would be exceeded.
    @inline(__always)
    mutating func append(_ bytes: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        if count + n > capacity {
            if !grow(to: count + n) { return false }
        }
        ByteBuffer.copy(to: base + count, from: bytes, n)
        count += n
        return true
    }

    /// Field values are short (an ID number, a name, a code): copying them with overlapping
    /// word loads and stores beats a call to memmove. Reads and writes stay inside both ranges.
    @inline(__always)
    static func copy(to destination: UnsafeMutablePointer<UInt8>, from source: UnsafePointer<UInt8>, _ n: Int) {
        let d = UnsafeMutableRawPointer(destination)
        let s = UnsafeRawPointer(source)
        switch n {
        case 16...32:
            let a = s.loadUnaligned(as: (UInt64, UInt64).self)
            let b = s.loadUnaligned(fromByteOffset: n - 16, as: (UInt64, UInt64).self)
            d.storeBytes(of: a.0, as: UInt64.self)
            d.storeBytes(of: a.1, toByteOffset: 8, as: UInt64.self)
            d.storeBytes(of: b.0, toByteOffset: n - 16, as: UInt64.self)
            d.storeBytes(of: b.1, toByteOffset: n - 8, as: UInt64.self)
        case 8..<16:
            let a = s.loadUnaligned(as: UInt64.self)
            let b = s.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            d.storeBytes(of: a, as: UInt64.self)
            d.storeBytes(of: b, toByteOffset: n - 8, as: UInt64.self)
        case 4..<8:
            let a = s.loadUnaligned(as: UInt32.self)
            let b = s.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
            d.storeBytes(of: a, as: UInt32.self)
            d.storeBytes(of: b, toByteOffset: n - 4, as: UInt32.self)
        case 1..<4:
            let first = source[0], middle = source[n >> 1], last = source[n - 1]
            destination[0] = first
            destination[n >> 1] = middle
            destination[n - 1] = last
        case 0:
            break
        default:
            destination.update(from: source, count: n)
        }
    }

    @inline(__always)
    mutating func append(byte: UInt8) -> Bool {
        if count == capacity {
            if !grow(to: count + 1) { return false }
        }
        base[count] = byte
        count += 1
        return true
    }

    mutating func grow(to needed: Int) -> Bool {
        if needed > XMLRecordReader.maxRecordBytes { return false }
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        newCapacity = min(newCapacity, XMLRecordReader.maxRecordBytes)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
        return true
    }

    /// Appends an attribute value as delivered by libxml2. Without entity substitution libxml2
    /// re-escapes a decoded '&' (from `&amp;`, `&#38;`, `&#x26;`) as "&#38;" in attribute values,
    /// and no other '&' can reach us (other entity references are rejected), so "&#38;" → "&".
    mutating func appendAttributeValue(_ value: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Bool {
        var p = value
        var segment = value
        while p < end {
            if p.pointee == 0x26, end - p >= 5, p[1] == 0x23, p[2] == 0x33, p[3] == 0x38, p[4] == 0x3B {
                if !append(segment, p - segment) || !append(byte: 0x26) { return false }
                p += 5
                segment = p
            } else {
                p += 1
            }
        }
        return append(segment, end - segment)
    }
}

/// Interned (parser-dictionary) names → field index, with a byte-compare fallback.
private struct NameTable {
    var names: [String] = []
    var fieldIndexes: [Int] = []
    var interned: UnsafeMutablePointer<UnsafePointer<xmlChar>?> = .allocate(capacity: 1)
    var targets: UnsafeMutablePointer<Int> = .allocate(capacity: 1)
    var count = 0

    mutating func add(_ name: String, field: Int) {
        names.append(name)
        fieldIndexes.append(field)
    }

    mutating func intern(in dict: xmlDictPtr?) {
        interned.deallocate()
        targets.deallocate()
        count = names.count
        interned = .allocate(capacity: max(count, 1))
        targets = .allocate(capacity: max(count, 1))
        for i in 0..<count {
            interned[i] = names[i].withCString { xmlDictLookup(dict, UnsafeRawPointer($0).assumingMemoryBound(to: xmlChar.self), -1) }
            targets[i] = fieldIndexes[i]
        }
    }

    func release() {
        interned.deallocate()
        targets.deallocate()
    }

    /// `lookup`, trying entry `predicted` first: fields come in layout order in nearly every
    /// file, so the entry after the last match is usually the next one. Returns the field index
    /// and sets `predicted` to the entry after the match.
    @inline(__always)
    func lookup(_ name: UnsafePointer<xmlChar>, predicted: inout Int) -> Int {
        let p = predicted
        if p < count && interned[p] == name {
            predicted = p + 1
            return targets[p]
        }
        var i = 0
        while i < count {
            if interned[i] == name {
                predicted = i + 1
                return targets[i]
            }
            i += 1
        }
        return lookupSlow(name)
    }

    @inline(__always)
    func lookup(_ name: UnsafePointer<xmlChar>) -> Int {
        var i = 0
        while i < count {
            if interned[i] == name { return targets[i] }
            i += 1
        }
        return lookupSlow(name)
    }

    func lookupSlow(_ name: UnsafePointer<xmlChar>) -> Int {
        for i in 0..<count where xmlStrEqual(interned[i], name) != 0 { return targets[i] }
        return -1
    }
}

private struct ReaderCore {
    let onRecord: (XMLRecordView) throws -> Void
    let rootNameString: String
    let parentNameString: String?
    let recordNameString: String
    let rootAttributeNames: [String]
    let fieldCount: Int
    let nested: Bool
    let recordDepth: Int

    var ctxt: xmlParserCtxtPtr?
    var rootName: UnsafePointer<xmlChar>?
    var parentName: UnsafePointer<xmlChar>?
    var recordName: UnsafePointer<xmlChar>?
    var childTable = NameTable()
    var attributeTable = NameTable()
    var parentAttributeTable = NameTable()

    var rec = ByteBuffer(capacity: 4096)
    var par = ByteBuffer(capacity: 1024)
    let starts: UnsafeMutablePointer<Int>
    let lengths: UnsafeMutablePointer<Int>
    let fromParent: UnsafeMutablePointer<Bool>

    var depth = 0
    /// Entry of `childTable` expected for the next field element of the record.
    var predictedChild = 0
    var inRecord = false
    var inParent = false
    var capture = -1
    var captureDepth = 0
    var recordLine = 0
    var unknownChildren = 0
    var recordCount = 0
    var rootSeen = false
    var rootClosed = false
    var delivering = false
    /// `parse` was called: a context parses one document.
    var parsed = false
    var failure: Failure?

    /// The caller's source of input while `parse` runs (see `read`).
    var input: (() throws -> UnsafeRawBufferPointer?)?
    /// The rest of the piece `input` returned last.
    var piece: UnsafeRawPointer?
    var pieceCount = 0
    /// `input` returned nil.
    var inputEnded = false
    /// An error `input` threw after `read` had copied some bytes: thrown at the next `read`.
    var pendingInputError: (any Error)?
    var rootAttributeValues: [String: String] = [:]

    init(layout: XMLRecordLayout, onRecord: @escaping (XMLRecordView) throws -> Void) {
        self.onRecord = onRecord
        rootNameString = layout.rootElement
        parentNameString = layout.parentElement
        recordNameString = layout.recordElement
        rootAttributeNames = layout.rootAttributes
        fieldCount = layout.fields.count
        nested = layout.parentElement != nil
        recordDepth = nested ? 3 : 2
        let n = max(fieldCount, 1)
        starts = .allocate(capacity: n)
        starts.initialize(repeating: 0, count: n)
        lengths = .allocate(capacity: n)
        lengths.initialize(repeating: -1, count: n)
        fromParent = .allocate(capacity: n)
        fromParent.initialize(repeating: false, count: n)
        for (i, spec) in layout.fields.enumerated() {
            switch spec.origin {
            case .childElement: childTable.add(spec.element, field: i)
            case .attribute: attributeTable.add(spec.element, field: i)
            case .parentAttribute:
                parentAttributeTable.add(spec.element, field: i)
                fromParent[i] = true
            }
        }
    }

    mutating func createContext(userData: UnsafeMutableRawPointer) {
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElementNs = { ctx, localname, _, _, _, _, nbAttributes, _, attributes in
            guard let ctx, let localname else { return }
            ctx.assumingMemoryBound(to: ReaderCore.self).pointee
                .startElement(localname, Int(nbAttributes), attributes)
        }
        sax.endElementNs = { ctx, _, _, _ in
            guard let ctx else { return }
            ctx.assumingMemoryBound(to: ReaderCore.self).pointee.endElement()
        }
        sax.characters = { ctx, ch, len in
            guard let ctx, let ch else { return }
            ctx.assumingMemoryBound(to: ReaderCore.self).pointee.characters(ch, Int(len))
        }
        // Whitespace is content (values are not trimmed); CDATA is content.
        sax.ignorableWhitespace = sax.characters
        sax.cdataBlock = sax.characters
        sax.internalSubset = { ctx, _, _, _ in
            guard let ctx else { return }
            ctx.assumingMemoryBound(to: ReaderCore.self).pointee.forbidDTD(
                hard: true,
                what: "a DOCTYPE declaration is not allowed in exchange files")
        }
        sax.externalSubset = { ctx, _, _, _ in
            guard let ctx else { return }
            ctx.assumingMemoryBound(to: ReaderCore.self).pointee.forbidDTD(
                hard: false,
                what: "an external DTD subset is not allowed")
        }
        sax.entityDecl = { ctx, _, _, _, _, _ in
            guard let ctx else { return }
            ctx.assumingMemoryBound(to: ReaderCore.self).pointee.forbidDTD(
                hard: false,
                what: "an entity declaration is not allowed")
        }
        sax.getEntity = { ctx, name in
            guard let ctx else { return nil }
            ctx.assumingMemoryBound(to: ReaderCore.self).pointee.forbidEntity(name)
            return nil
        }
        sax.reference = { ctx, name in
            guard let ctx else { return }
            ctx.assumingMemoryBound(to: ReaderCore.self).pointee.forbidEntity(name)
        }
        sax.serror = ReaderCore.structuredErrorHandler

        // Pull parser: xmlParseDocument reads the input through `readCallback`. No encoding is
        // forced: it is detected from the first bytes and the XML declaration.
        guard let ctxt = xmlCreateIOParserCtxt(&sax, userData, ReaderCore.readCallback, nil, userData, XML_CHAR_ENCODING_NONE)
        else {
            failure = .xml(XMLError(code: .malformed, line: 0, message: "XML reader: cannot create libxml2 parser context"))
            return
        }
        self.ctxt = ctxt
        // Before anything is read or parsed (xmlParseDocument reads the first bytes).
        // No NOENT (no entity substitution), no DTDLOAD/DTDATTR/DTDVALID, no HUGE, no RECOVER, no XInclude.
        _ = xmlCtxtUseOptions(ctxt, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOWARNING.rawValue))
        ctxt.pointee.replaceEntities = 0
        ctxt.pointee.loadsubset = 0
        ctxt.pointee.validate = 0

        let dict = ctxt.pointee.dict
        func intern(_ s: String) -> UnsafePointer<xmlChar>? {
            s.withCString { xmlDictLookup(dict, UnsafeRawPointer($0).assumingMemoryBound(to: xmlChar.self), -1) }
        }
        rootName = intern(rootNameString)
        recordName = intern(recordNameString)
        parentName = parentNameString.flatMap(intern)
        childTable.intern(in: dict)
        attributeTable.intern(in: dict)
        parentAttributeTable.intern(in: dict)
    }

    static let structuredErrorHandler: xmlStructuredErrorFunc = { userData, error in
        guard let userData, let error else { return }
        userData.assumingMemoryBound(to: ReaderCore.self).pointee.libxmlError(error)
    }

    mutating func release() {
        if let ctxt {
            if let doc = ctxt.pointee.myDoc {
                xmlFreeDoc(doc)
                ctxt.pointee.myDoc = nil
            }
            xmlFreeParserCtxt(ctxt)
            self.ctxt = nil
        }
        rec.release()
        par.release()
        starts.deallocate()
        lengths.deallocate()
        fromParent.deallocate()
        childTable.release()
        attributeTable.release()
        parentAttributeTable.release()
    }

    var currentLine: Int { Int(hedui_xml_ctxt_line(ctxt)) }

    // MARK: parsing

    /// Runs xmlParseDocument over the whole input. Static on purpose: SAX callbacks (and the read
    /// callback) mutate the core through the raw pointer while libxml2 runs, so no `mutating`
    /// (inout) access to the core may be active across the call — the optimizer would assume the
    /// core unchanged and use/write back stale state.
    static func parseDocument(_ core: UnsafeMutablePointer<ReaderCore>) {
        guard let ctxt = core.pointee.ctxt, core.pointee.failure == nil else { return }
        // Context-less libxml2 errors (e.g. iconv conversion failures) go to the thread-local
        // structured handler: capture them for this reader while it parses, then restore.
        let previousHandler = hedui_xml_get_structured_error()
        let previousContext = hedui_xml_get_structured_error_context()
        xmlSetStructuredErrorFunc(UnsafeMutableRawPointer(core), ReaderCore.structuredErrorHandler)
        let rc = xmlParseDocument(ctxt)
        xmlSetStructuredErrorFunc(previousContext, previousHandler)
        if core.pointee.failure == nil, let input = ctxt.pointee.input, let cur = input.pointee.cur, let end = input.pointee.end,
            cur < end
        {
            // The pull parser stops at a NUL byte as at the end of its buffer: after the document
            // element, it leaves the rest unread and reports nothing.
            core.pointee.fail(
                .malformed, "XML not well-formed: Extra content at the end of the document (libxml2 error \(XML_ERR_DOCUMENT_END.rawValue))"
            )
        }
        if core.pointee.failure == nil && !core.pointee.inputEnded {
            // Not expected: a well-formed document is read to the end of input (libxml2 looks for
            // more after the document element). Whatever is left is read here, so that the whole
            // input is always seen (and hashed by the caller) and its errors are not lost.
            core.pointee.drainInput()
        }
        if core.pointee.failure == nil && (rc != 0 || ctxt.pointee.wellFormed == 0) {
            let line = Int(hedui_xml_ctxt_line(ctxt))
            core.pointee.failure = .xml(
                XMLError(
                    code: .malformed, line: line,
                    message: "line \(line): XML not well-formed (libxml2 error \(ctxt.pointee.errNo))"))
        }
    }

    mutating func drainInput() {
        if let error = pendingInputError {
            pendingInputError = nil
            failure = .user(error)
            return
        }
        var extra = pieceCount
        pieceCount = 0
        do {
            while let next = try input?() { extra += next.count }
        } catch {
            failure = .user(error)
            return
        }
        inputEnded = true
        if extra > 0 {
            fail(
                .malformed, "XML not well-formed: Extra content at the end of the document (libxml2 error \(XML_ERR_DOCUMENT_END.rawValue))"
            )
        }
    }

    /// libxml2's read callback (the context is the core): at most `len` bytes of input into `buffer`,
    /// 0 at the end of input, -1 on failure.
    static let readCallback: xmlInputReadCallback = { context, buffer, len in
        guard let context, let buffer, len > 0 else { return 0 }
        return Int32(context.assumingMemoryBound(to: ReaderCore.self).pointee.read(into: UnsafeMutableRawPointer(buffer), Int(len)))
    }

    /// Fills `buffer` as far as the input allows: libxml2's pull parser expects short reads only
    /// at the end of input (it looks at the first 4 bytes, then the XML declaration, after one
    /// read). Nothing more is pulled once an error is met. An error from `input` is held until
    /// libxml2 has the bytes copied before it and asks for more (it parses up to a few hundred
    /// bytes short of what it has, then reads ahead); then it becomes the failure (thrown
    /// unchanged by `parse`, whatever libxml2 reports next) and the read fails with -1, with no
    /// further SAX events.
    mutating func read(into buffer: UnsafeMutableRawPointer, _ capacity: Int) -> Int {
        if failure != nil { return -1 }
        var filled = 0
        while filled < capacity {
            if pieceCount == 0 {
                if inputEnded || pendingInputError != nil { break }
                do {
                    guard let next = try input?() else {
                        inputEnded = true
                        break
                    }
                    piece = next.baseAddress
                    pieceCount = next.count
                } catch {
                    pendingInputError = error
                    break
                }
                continue
            }
            let n = min(pieceCount, capacity - filled)
            (buffer + filled).copyMemory(from: piece!, byteCount: n)
            piece! += n
            pieceCount -= n
            filled += n
        }
        if filled == 0, let error = pendingInputError {
            pendingInputError = nil
            failure = .user(error)
            // SAX stays on: libxml2 finishes what it has (records complete in it are delivered,
            // as the push parser did with every chunk before the failing one); its first error
            // at the cut stops the callbacks.
            return -1
        }
        return filled
    }

    func throwIfFailed() throws {
        switch failure {
        case nil: return
        case .xml(let e)?: throw e
        case .user(let e)?: throw e
        }
    }

    /// Records the first failure and stops SAX callbacks (safe from any callback); no more input
    /// is read after it (see `read`). `hard` halts the parser with xmlStopParser right away, only
    /// where that is safe (xmlHaltParser frees the input buffer, which libxml2 may still use).
    mutating func fail(_ code: XMLError.Code, _ message: String, line: Int? = nil, hard: Bool = false) {
        guard failure == nil else { return }
        let l = line ?? currentLine
        failure = .xml(XMLError(code: code, line: l, message: "line \(l): \(message)"))
        stop(hard: hard)
    }

    func stop(hard: Bool) {
        guard let ctxt else { return }
        if hard { xmlStopParser(ctxt) } else { hedui_xml_disable_sax(ctxt) }
    }

    mutating func forbidDTD(hard: Bool, what: String) {
        fail(.dtdForbidden, "\(what) (DTDs and entity declarations are forbidden)", hard: hard)
    }

    mutating func forbidEntity(_ name: UnsafePointer<xmlChar>?) {
        let n = name.map { ReaderCore.displayName($0) } ?? "?"
        fail(.dtdForbidden, "entity reference &\(n); is not allowed (only &amp; &lt; &gt; &quot; &apos; and character references)")
    }

    mutating func libxmlError(_ error: UnsafeMutablePointer<xmlError>) {
        let e = error.pointee
        if e.level == XML_ERR_WARNING || e.level == XML_ERR_NONE { return }
        guard failure == nil else { return }
        var text = e.message.map { String(cString: $0) } ?? "unknown error"
        // First line only: libxml2 appends raw input bytes ("Bytes: 0x..") on a second line.
        if let nl = text.firstIndex(where: { $0 == "\n" || $0 == "\r" }) { text = String(text[..<nl]) }
        // iconv failures: "input conversion failed due to input error, bytes 0x81 0x20 .." — drop the bytes.
        if let r = text.range(of: ", bytes ") ?? text.range(of: "Bytes:") { text = String(text[..<r.lowerBound]) }
        var code = Int(e.code)
        var line = e.line > 0 ? Int(e.line) : currentLine
        if e.domain == Int32(XML_FROM_PARSER.rawValue) {
            pushParserWording(&text, &code, &line)
        }
        text = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
        if text.count > 160 { text = String(text.prefix(160)) + "…" }
        let isEncoding =
            e.domain == Int32(XML_FROM_I18N.rawValue)
            || code == Int(XML_ERR_UNKNOWN_ENCODING.rawValue)
            || code == Int(XML_ERR_UNSUPPORTED_ENCODING.rawValue)
            || code == Int(XML_ERR_INVALID_ENCODING.rawValue)
            || code == Int(XML_ERR_ENCODING_NAME.rawValue)
            || text.hasPrefix("Input is not proper UTF-8")
        if code == Int(XML_ERR_DOCUMENT_END.rawValue) && !rootClosed {
            // libxml2 says "Extra content at the end of the document" when input simply stops.
            text =
                rootSeen
                ? "premature end of document: input ended before </\(rootNameString)>"
                : "premature end of document: no complete <\(rootNameString)> element"
        }
        if isEncoding {
            fail(.encoding, "invalid character encoding: \(text) (libxml2 error \(code))", line: line)
        } else {
            fail(.malformed, "XML not well-formed: \(text) (libxml2 error \(code))", line: line)
        }
    }

    /// Words a well-formedness error of the pull parser as the push parser (which this reader
    /// drove before) did, so that reports keep their wording:
    /// - the input ended inside the document (the parser stands at the end of all input, with
    ///   "Premature end of data in tag", an unfinished CDATA section, a lone `<`, `<!-` or
    ///   `<![CDA`, or nothing but blanks and comments): the push parser's `XML_ERR_DOCUMENT_END`,
    ///   which `libxmlError` words as a premature end;
    /// - a document that does not start with markup: "Document is empty";
    /// - an element left unfinished at a NUL byte (U+0000, which the pull parser takes for the end
    ///   of its buffer): "Char 0x0 out of allowed range" (`XML_ERR_INVALID_CHAR`);
    /// - "Couldn't find end of Start Tag x line n": without " line n".
    /// At the end of input inside the document the line is the push parser's too: it left a last
    /// single byte of text (a newline after the last tag) unread.
    func pushParserWording(_ text: inout String, _ code: inout Int, _ line: inout Int) {
        var remaining = -1
        var atNUL = false
        if let input = ctxt?.pointee.input, let cur = input.pointee.cur, let end = input.pointee.end {
            remaining = end - cur
            atNUL = remaining > 0 && cur.pointee == 0
        }
        let atEndOfInput = inputEnded && remaining == 0
        switch code {
        case Int(XML_ERR_DOCUMENT_EMPTY.rawValue):
            if atEndOfInput {
                code = Int(XML_ERR_DOCUMENT_END.rawValue)
            } else {
                text = "Document is empty"
            }
        case Int(XML_ERR_TAG_NOT_FINISHED.rawValue):
            if atNUL {
                text = "Char 0x0 out of allowed range"
                code = Int(XML_ERR_INVALID_CHAR.rawValue)
            } else if atEndOfInput {
                code = Int(XML_ERR_DOCUMENT_END.rawValue)
            }
        case Int(XML_ERR_CDATA_NOT_FINISHED.rawValue):
            if atEndOfInput { code = Int(XML_ERR_DOCUMENT_END.rawValue) }
        case Int(XML_ERR_NAME_REQUIRED.rawValue):
            // A lone `<` at the end, or the start of `<!--` or `<![CDATA[`.
            if inputEnded && text == "StartTag: invalid element name" && (atEndOfInput || restStartsMarkup()) {
                code = Int(XML_ERR_DOCUMENT_END.rawValue)
            }
        case Int(XML_ERR_GT_REQUIRED.rawValue):
            if text.hasPrefix("Couldn't find end of Start Tag "), let r = text.range(of: " line ", options: .backwards),
                !text[r.upperBound...].isEmpty, text[r.upperBound...].allSatisfy({ $0 >= "0" && $0 <= "9" })
            {
                text = String(text[..<r.lowerBound])
            }
        default:
            break
        }
        if code == Int(XML_ERR_DOCUMENT_END.rawValue) && atEndOfInput && rootSeen && line > 1 && endsWithTagAndNewline() {
            line -= 1
        }
    }

    /// The input ends with a tag (`<…>`) and one newline.
    func endsWithTagAndNewline() -> Bool {
        guard let input = ctxt?.pointee.input, let base = input.pointee.base, let end = input.pointee.end,
            end - base >= 3, end[-1] == 0x0A, end[-2] == 0x3E
        else { return false }
        var p = end - 3
        while p >= base {
            if p.pointee == 0x3C { return true }
            if p.pointee == 0x3E { return false }
            p -= 1
        }
        return false
    }

    /// The unparsed rest of the input is a proper prefix of "!--" or "![CDATA[" (after a `<`).
    func restStartsMarkup() -> Bool {
        guard let input = ctxt?.pointee.input, let cur = input.pointee.cur, let end = input.pointee.end, cur < end else { return false }
        let rest = UnsafeBufferPointer(start: cur, count: end - cur)
        return [Array("!--".utf8), Array("![CDATA[".utf8)].contains { rest.count < $0.count && rest.elementsEqual($0.prefix(rest.count)) }
    }

    static func displayName(_ name: UnsafePointer<xmlChar>) -> String {
        let s = String(cString: name)
        return s.count > 64 ? String(s.prefix(64)) + "…" : s
    }

    @inline(__always)
    static func same(_ a: UnsafePointer<xmlChar>, _ b: UnsafePointer<xmlChar>?) -> Bool {
        guard let b else { return false }
        return a == b || xmlStrEqual(a, b) != 0
    }

    // MARK: SAX events

    @inline(__always)
    mutating func startElement(
        _ name: UnsafePointer<xmlChar>, _ nbAttributes: Int,
        _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    ) {
        depth += 1
        if inRecord {
            if depth == recordDepth + 1 {
                let f = childTable.lookup(name, predicted: &predictedChild)
                if f >= 0 {
                    capture = f
                    captureDepth = depth
                    starts[f] = rec.count
                    lengths[f] = 0
                    return
                }
                unknownChildren += 1
            }
            if ReaderCore.same(name, recordName) || (nested && ReaderCore.same(name, parentName)) {
                misplaced(name)
            }
            return
        }
        if ReaderCore.same(name, recordName) {
            if depth == recordDepth && (!nested || inParent) {
                beginRecord(nbAttributes, attributes)
            } else {
                misplaced(name)
            }
            return
        }
        if depth == 1 {
            beginRoot(name, nbAttributes, attributes)
            return
        }
        if nested && ReaderCore.same(name, parentName) {
            if depth == 2 {
                inParent = true
                captureParentAttributes(nbAttributes, attributes)
            } else {
                misplaced(name)
            }
        }
        // Anything else outside records: skipped with its content.
    }

    @inline(__always)
    mutating func endElement() {
        if inRecord {
            if depth == recordDepth {
                endRecord()
            } else if depth == captureDepth && capture >= 0 {
                lengths[capture] = rec.count - starts[capture]
                capture = -1
            }
        } else if depth == 1 {
            rootClosed = true
        } else if depth == 2 && inParent {
            inParent = false
            for i in 0..<fieldCount where fromParent[i] { lengths[i] = -1 }
        }
        depth -= 1
    }

    @inline(__always)
    mutating func characters(_ ch: UnsafePointer<xmlChar>, _ len: Int) {
        if capture >= 0 {
            if !rec.append(ch, len) { overflow() }
        }
    }

    mutating func misplaced(_ name: UnsafePointer<xmlChar>) {
        // A start tag not terminated (cut by the end of input, or `<a <b/>`): libxml2 reports it as malformed right after.
        guard hedui_xml_start_tag_complete(ctxt) != 0 else { return }
        let n = ReaderCore.displayName(name)
        let expected =
            nested
            ? "<\(recordNameString)> must be a direct child of <\(parentNameString!)>, itself a direct child of <\(rootNameString)>"
            : "<\(recordNameString)> must be a direct child of <\(rootNameString)>"
        // Safe point for xmlStopParser (end of xmlParseStartTag2: xmlParseElementStart returns on XML_PARSER_EOF).
        fail(.malformed, "XML structure: misplaced <\(n)> (\(expected))", hard: true)
    }

    mutating func overflow() {
        fail(.malformed, "XML record <\(recordNameString)> exceeds \(XMLRecordReader.maxRecordBytes >> 20) MiB of field data")
    }

    mutating func beginRoot(
        _ name: UnsafePointer<xmlChar>, _ nbAttributes: Int,
        _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    ) {
        guard ReaderCore.same(name, rootName) else {
            // A start tag not terminated (cut by the end of input, or `<a <b/>`): libxml2 reports it as malformed right after.
            guard hedui_xml_start_tag_complete(ctxt) != 0 else { return }
            fail(.wrongRoot, "expected <\(rootNameString)> as the document element, found <\(ReaderCore.displayName(name))>", hard: true)
            return
        }
        if let attributes, !rootAttributeNames.isEmpty {
            for a in 0..<nbAttributes {
                guard let local = attributes[5 * a], let value = attributes[5 * a + 3], let end = attributes[5 * a + 4] else { continue }
                let key = String(cString: local)
                guard rootAttributeNames.contains(key) else { continue }
                var tmp = ByteBuffer(capacity: max(end - value, 1))
                if tmp.appendAttributeValue(value, end) {
                    rootAttributeValues[key] = String(decoding: UnsafeBufferPointer(start: tmp.base, count: tmp.count), as: UTF8.self)
                }
                tmp.release()
            }
        }
        rootSeen = true
        // Flat layouts: the root plays the parent's role for `.parentAttribute` fields.
        if !nested { captureParentAttributes(nbAttributes, attributes) }
    }

    mutating func captureParentAttributes(_ nbAttributes: Int, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        par.count = 0
        if parentAttributeTable.count == 0 { return }
        for i in 0..<fieldCount where fromParent[i] { lengths[i] = -1 }
        guard let attributes else { return }
        for a in 0..<nbAttributes {
            guard let local = attributes[5 * a], let value = attributes[5 * a + 3], let end = attributes[5 * a + 4] else { continue }
            let f = parentAttributeTable.lookup(local)
            if f < 0 { continue }
            let start = par.count
            if !par.appendAttributeValue(value, end) { overflow(); return }
            starts[f] = start
            lengths[f] = par.count - start
        }
    }

    @inline(__always)
    mutating func beginRecord(_ nbAttributes: Int, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        inRecord = true
        rec.count = 0
        unknownChildren = 0
        capture = -1
        predictedChild = 0
        recordLine = currentLine
        for i in 0..<fieldCount where !fromParent[i] { lengths[i] = -1 }
        if attributeTable.count == 0 { return }
        guard let attributes else { return }
        for a in 0..<nbAttributes {
            guard let local = attributes[5 * a], let value = attributes[5 * a + 3], let end = attributes[5 * a + 4] else { continue }
            let f = attributeTable.lookup(local)
            if f < 0 { continue }
            let start = rec.count
            if !rec.appendAttributeValue(value, end) { overflow(); return }
            starts[f] = start
            lengths[f] = rec.count - start
        }
    }

    @inline(__always)
    mutating func endRecord() {
        inRecord = false
        capture = -1
        recordCount += 1
        let view = XMLRecordView(
            index: recordCount, line: recordLine, unknownChildren: unknownChildren,
            recordBase: rec.base, parentBase: par.base,
            starts: starts, lengths: lengths, fromParent: fromParent, fieldCount: fieldCount)
        delivering = true
        defer { delivering = false }
        do {
            try onRecord(view)
        } catch {
            if failure == nil { failure = .user(error) }
            // Safe point for xmlStopParser (end of xmlParseEndTag2, or of an empty element in xmlParseElementStart).
            stop(hard: true)
        }
    }
}
