internal import CLibXML2

/// Streaming reader of record-oriented XML exchange files on libxml2's SAX2 push parser.
///
/// Feed bytes as they arrive (any chunk size, down to 1 byte), then call `finish()`. Each
/// complete record element is delivered to `onRecord` as an `XMLRecordView` whose values point
/// into reusable buffers (no allocation per record in steady state).
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

    /// Pushes the next bytes of the document. Throws the first error (an `XMLError`, or the error
    /// thrown by `onRecord`, unchanged); after an error every call rethrows it.
    public func feed(_ chunk: UnsafeRawBufferPointer) throws {
        precondition(!core.pointee.delivering, "XMLRecordReader.feed called from inside onRecord")
        try core.pointee.throwIfFailed()
        if core.pointee.finished {
            throw XMLError(
                code: .malformed, line: core.pointee.currentLine,
                message: "XML reader: data fed after finish()")
        }
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        var offset = 0
        while offset < chunk.count {
            let n = min(chunk.count - offset, 1 << 26)
            ReaderCore.parse(core, base + offset, n, terminate: false)
            try core.pointee.throwIfFailed()
            offset += n
        }
    }

    /// Convenience for tests and small inputs.
    public func feed(_ bytes: some Collection<UInt8>) throws {
        let done: Void? = try bytes.withContiguousStorageIfAvailable { try feed(UnsafeRawBufferPointer($0)) }
        if done == nil {
            let copy = Array(bytes)
            try copy.withUnsafeBytes { try feed($0) }
        }
    }

    /// Signals the end of input. Throws `.malformed` if the document is incomplete.
    public func finish() throws {
        precondition(!core.pointee.delivering, "XMLRecordReader.finish called from inside onRecord")
        try core.pointee.throwIfFailed()
        if core.pointee.finished { return }
        core.pointee.finished = true
        ReaderCore.parse(core, nil, 0, terminate: true)
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
    var finished = false
    var failure: Failure?
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

        guard let ctxt = xmlCreatePushParserCtxt(&sax, userData, nil, 0, nil) else {
            failure = .xml(XMLError(code: .malformed, line: 0, message: "XML reader: cannot create libxml2 parser context"))
            return
        }
        self.ctxt = ctxt
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

    /// Runs xmlParseChunk. Static on purpose: SAX callbacks mutate the core through the raw
    /// pointer while libxml2 runs, so no `mutating` (inout) access to the core may be active across
    /// the call — the optimizer would assume the core unchanged and use/write back stale state.
    static func parse(_ core: UnsafeMutablePointer<ReaderCore>, _ bytes: UnsafeRawPointer?, _ n: Int, terminate: Bool) {
        guard let ctxt = core.pointee.ctxt, core.pointee.failure == nil else { return }
        // Context-less libxml2 errors (e.g. iconv conversion failures) go to the thread-local
        // structured handler: capture them for this reader while it parses, then restore.
        let previousHandler = hedui_xml_get_structured_error()
        let previousContext = hedui_xml_get_structured_error_context()
        xmlSetStructuredErrorFunc(UnsafeMutableRawPointer(core), ReaderCore.structuredErrorHandler)
        var rc: Int32 = 0
        if bytes != nil && hedui_xml_shrink_pending(ctxt) != 0 {
            // Lets libxml2 drop the parsed input before the chunk is appended (see the shim):
            // it would otherwise move the whole new chunk within its buffer.
            rc = xmlParseChunk(ctxt, nil, 0, 0)
        }
        if rc == 0 && core.pointee.failure == nil {
            rc = xmlParseChunk(ctxt, bytes?.assumingMemoryBound(to: CChar.self), Int32(n), terminate ? 1 : 0)
        }
        xmlSetStructuredErrorFunc(previousContext, previousHandler)
        if core.pointee.failure == nil && rc != 0 {
            let line = Int(hedui_xml_ctxt_line(ctxt))
            if rc == -1 {
                // xmlParseChunk halts with XML_PARSER_EOF when the input buffer cannot be decoded.
                core.pointee.failure = .xml(
                    XMLError(
                        code: .encoding, line: line,
                        message: "line \(line): invalid character encoding: input cannot be converted to UTF-8 (libxml2 error \(rc))"))
            } else {
                core.pointee.failure = .xml(
                    XMLError(
                        code: .malformed, line: line,
                        message: "line \(line): XML not well-formed (libxml2 error \(rc))"))
            }
        }
        if core.pointee.failure != nil {
            xmlStopParser(ctxt)
        }
    }

    func throwIfFailed() throws {
        switch failure {
        case nil: return
        case .xml(let e)?: throw e
        case .user(let e)?: throw e
        }
    }

    /// Records the first failure and stops SAX callbacks (safe from any callback); the parser is
    /// halted with xmlStopParser once xmlParseChunk returns (or right away where that is safe).
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
        text = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
        if text.count > 160 { text = String(text.prefix(160)) + "…" }
        let code = Int(e.code)
        let isEncoding =
            e.domain == Int32(XML_FROM_I18N.rawValue)
            || code == Int(XML_ERR_UNKNOWN_ENCODING.rawValue)
            || code == Int(XML_ERR_UNSUPPORTED_ENCODING.rawValue)
            || code == Int(XML_ERR_INVALID_ENCODING.rawValue)
            || code == Int(XML_ERR_ENCODING_NAME.rawValue)
            || text.hasPrefix("Input is not proper UTF-8")
        let line = e.line > 0 ? Int(e.line) : currentLine
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
        // A start tag cut by the end of input: libxml2 reports it as malformed right after.
        guard hedui_xml_start_tag_complete(ctxt) != 0 else { return }
        let n = ReaderCore.displayName(name)
        let expected =
            nested
            ? "<\(recordNameString)> must be a direct child of <\(parentNameString!)>, itself a direct child of <\(rootNameString)>"
            : "<\(recordNameString)> must be a direct child of <\(rootNameString)>"
        // Safe point for xmlStopParser (end of xmlParseStartTag2).
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
            // A start tag cut by the end of input: libxml2 reports it as malformed right after.
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
            // Safe point for xmlStopParser (end of xmlParseEndTag2).
            stop(hard: true)
        }
    }
}
