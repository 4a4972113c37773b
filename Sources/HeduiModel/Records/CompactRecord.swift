/// An exchange record's fields (not its origin) as bytes: how validated records travel from
/// ingestion to assessment without a `String` per field, and how a run keeps matched records
/// (about 60 bytes for a bank record, against about 200 for an `ExchangeRecord` with its
/// strings on the heap). Equal records encode to equal bytes, so exact duplicates (rules.md,
/// point 14) are found by comparing bytes.
///
/// Layout, little-endian, unaligned:
/// - holder: tag 0 and the 8-byte ID body, or tag 1 and the 18 digit values (checksum failed);
/// - holder name: text;
/// - source tag (1 bank, 2 tax, 3 vehicle, 4 property) and the source's fields in the order
///   of `BankBalance`, `TaxIncome`, `VehicleRegistration`, `PropertyRegistration`.
/// Text is a length (1 byte, or 255 and 4 bytes) and the UTF-8 bytes; a code is its case number
/// (1 byte); an optional amount is a flag byte and, when 1, the amount.
public enum CompactRecord {
    /// Bytes before the name of a valid-ID record: tag and body.
    public static let validHolderSize = 9

    /// The record's bytes, appended to `writer` (after `writer.reset()` for a fresh record).
    public static func encode(_ record: ExchangeRecord, into w: inout CompactRecordWriter) {
        w.reset()
        switch record.holder {
        case .valid(let id): w.holder(id)
        case .checksumFailed(let failed):
            w.byte(1)
            for d in failed.digits { w.byte(d) }
        }
        w.text(record.holderName)
        switch record.facts {
        case .bank(let b):
            w.byte(1)
            w.text(b.bankCode); w.text(b.accountNumber); w.code(b.accountType); w.integer(b.balance.value); w.text(b.currency)
            w.integer(b.asOf.daysSinceEpoch)
        case .tax(let t):
            w.byte(2)
            w.integer(t.period.index); w.code(t.incomeType); w.integer(t.grossIncome.value); w.integer(t.taxPaid.value)
            w.integer(t.socialContribution.value); w.text(t.withholder)
        case .vehicle(let v):
            w.byte(3)
            w.text(v.plate); w.code(v.vehicleType); w.integer(v.registeredOn.daysSinceEpoch); w.optionalAmount(v.assessedValue)
            w.code(v.status)
        case .property(let p):
            w.byte(4)
            w.text(p.certificateNumber); w.code(p.propertyType); w.integer(p.floorArea); w.integer(p.share)
            w.integer(p.registeredOn.daysSinceEpoch); w.code(p.status); w.text(p.address)
        }
    }

    /// The record encoded in `bytes`, with its origin.
    public static func decode(_ bytes: UnsafeRawBufferPointer, origin: RecordOrigin) -> ExchangeRecord {
        var reader = Reader(bytes: bytes)
        let holder: RecordHolderID
        if reader.byte() == 0 {
            holder = .valid(IDNumber(body: reader.integer()))
        } else {
            holder = .checksumFailed(ChecksumFailedID(digits: (0..<18).map { _ in reader.byte() }))
        }
        let name = reader.text()
        let facts: ExchangeFacts
        switch reader.byte() {
        case 1:
            facts = .bank(
                BankBalance(
                    bankCode: reader.text(), accountNumber: reader.text(), accountType: reader.code(), balance: Fen(reader.integer()),
                    currency: reader.text(), asOf: Day(daysSinceEpoch: reader.integer())))
        case 2:
            facts = .tax(
                TaxIncome(
                    period: Month(index: reader.integer()), incomeType: reader.code(), grossIncome: Fen(reader.integer()),
                    taxPaid: Fen(reader.integer()), socialContribution: Fen(reader.integer()), withholder: reader.text()))
        case 3:
            let plate = reader.text()
            let type: VehicleType = reader.code()
            let registered = Day(daysSinceEpoch: reader.integer())
            let value: Fen? = reader.byte() == 1 ? Fen(reader.integer()) : nil
            facts = .vehicle(
                VehicleRegistration(plate: plate, vehicleType: type, registeredOn: registered, assessedValue: value, status: reader.code()))
        default:
            facts = .property(
                PropertyRegistration(
                    certificateNumber: reader.text(), propertyType: reader.code(), floorArea: reader.integer(), share: reader.integer(),
                    registeredOn: Day(daysSinceEpoch: reader.integer()), status: reader.code(), address: reader.text()))
        }
        return ExchangeRecord(holder: holder, holderName: name, facts: facts, origin: origin)
    }

    /// The ID body of a record with a valid ID (nil for a checksum-failed one).
    @inlinable @inline(__always)
    public static func validHolderBody(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        bytes[0] == 0 ? UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 1, as: UInt64.self)) : nil
    }

    /// The holder name's bytes.
    @inline(__always)
    public static func holderName(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var reader = Reader(bytes: bytes)
        reader.offset = bytes[0] == 0 ? validHolderSize : 19
        return reader.textBytes()
    }

    /// The case number of a code: its position in the declaration, which is also its position in `allCases`.
    @inlinable @inline(__always)
    static func caseNumber<T: ExchangeCode>(_ value: T) -> UInt8 {
        precondition(MemoryLayout<T>.size == 1)
        return unsafeBitCast(value, to: UInt8.self)
    }

    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        mutating func byte() -> UInt8 {
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func integer<T: FixedWidthInteger>() -> T {
            defer { offset += MemoryLayout<T>.size }
            return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        }

        mutating func textBytes() -> UnsafeRawBufferPointer {
            var count = Int(byte())
            if count == 255 { count = Int(integer() as UInt32) }
            defer { offset += count }
            return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        }

        mutating func text() -> String { String(decoding: textBytes(), as: UTF8.self) }

        mutating func code<T: ExchangeCode>() -> T {
            // Written by `CompactRecordWriter.code` from a value of this type: a valid case number.
            precondition(MemoryLayout<T>.size == 1)
            return unsafeBitCast(byte(), to: T.self)
        }
    }
}

/// Builds one `CompactRecord` at a time in a reused `TextBuffer` (inlinable: it is on the ingest
/// hot path, one call per field, from another module).
///
/// Copies share the buffer: keep one writer per worker and do not copy it.
public struct CompactRecordWriter: CompactRecordOutput, @unchecked Sendable {
    @usableFromInline var buffer = TextBuffer(capacity: 1024)

    public init() {}

    /// Number of bytes written so far.
    @inlinable public var count: Int { buffer.count }

    @inlinable @inline(__always)
    public mutating func reset() { buffer.removeAll() }

    /// Calls `body` with the bytes written so far.
    @inlinable @inline(__always)
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try buffer.withBytes(body) }

    /// The bytes written so far, as an array.
    public var bytes: [UInt8] { buffer.bytes }

    @inlinable @inline(__always)
    public mutating func byte(_ value: UInt8) { buffer.append(value) }

    @inlinable @inline(__always)
    public mutating func integer<T: FixedWidthInteger>(_ value: T) { buffer.appendLittleEndian(value) }

    @inlinable @inline(__always)
    public mutating func raw(_ bytes: UnsafeRawBufferPointer) { buffer.append(bytes) }

    @inlinable @inline(__always)
    public mutating func text(_ utf8: UnsafeRawBufferPointer) {
        textLength(utf8.count)
        raw(utf8)
    }

    public mutating func text(_ value: String) {
        var value = value
        value.withUTF8 { text(UnsafeRawBufferPointer($0)) }
    }

    /// Appends the normalized name (`TextNormalization.normalizedName`) as text.
    @inlinable
    public mutating func name(_ input: UnsafeRawBufferPointer) {
        if TextNormalization.isPlainName(input) {
            text(input)
        } else {
            text(TextNormalization.normalizedName(input))
        }
    }
}

extension CompactRecordWriter {
    /// Clears the writer and reserves `capacity` bytes for one record written through the
    /// returned cursor, which checks no capacity: `capacity` must cover everything written
    /// (a byte per tag and code, 8 per integer, 5 per text beyond its bytes). `finishRecord` then
    /// takes the bytes written.
    @inlinable @inline(__always)
    public mutating func startRecord(reserving capacity: Int) -> CompactRecordCursor {
        buffer.removeAll()
        buffer.reserve(capacity)
        return CompactRecordCursor(position: buffer.base)
    }

    /// Makes room for `extra` more bytes after the cursor (from `startRecord`), moving the record
    /// written so far when the buffer grows.
    public mutating func makeRoom(_ extra: Int, for cursor: inout CompactRecordCursor) {
        buffer.written = buffer.base.distance(to: cursor.position)
        buffer.reserve(extra)
        cursor.position = buffer.base + buffer.written
    }

    /// Ends a record written through `cursor` (from `startRecord`): its bytes are the writer's.
    @inlinable @inline(__always)
    public mutating func finishRecord(_ cursor: CompactRecordCursor) {
        buffer.written = buffer.base.distance(to: cursor.position)
    }
}

/// Writes one `CompactRecord` into memory reserved by `CompactRecordWriter.startRecord`: the
/// same pieces as the writer, each a store and an advance, without a capacity check per piece.
/// Valid until the writer is used otherwise.
public struct CompactRecordCursor: CompactRecordOutput {
    @usableFromInline var position: UnsafeMutableRawPointer

    @inlinable @inline(__always)
    init(position: UnsafeMutableRawPointer) { self.position = position }

    @inlinable @inline(__always)
    public mutating func byte(_ value: UInt8) {
        position.storeBytes(of: value, as: UInt8.self)
        position += 1
    }

    @inlinable @inline(__always)
    public mutating func integer<T: FixedWidthInteger>(_ value: T) {
        position.storeBytes(of: value.littleEndian, as: T.self)
        position += MemoryLayout<T>.size
    }

    /// Length and bytes. Short texts are copied with overlapping loads and stores that stay inside
    /// both the source and the text's place, longer ones with `copyMemory`.
    @inlinable @inline(__always)
    public mutating func text(_ utf8: UnsafeRawBufferPointer) {
        let n = utf8.count
        textLength(n)
        guard let source = utf8.baseAddress else { return }
        let target = position
        if n >= 8 && n <= 16 {
            target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
            (target + (n &- 8)).storeBytes(of: source.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self), as: UInt64.self)
        } else if n >= 4 && n < 8 {
            target.storeBytes(of: source.loadUnaligned(as: UInt32.self), as: UInt32.self)
            (target + (n &- 4)).storeBytes(of: source.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self), as: UInt32.self)
        } else if n > 0 && n < 4 {
            target.storeBytes(of: source.load(as: UInt8.self), as: UInt8.self)
            (target + (n &>> 1)).storeBytes(of: source.load(fromByteOffset: n &>> 1, as: UInt8.self), as: UInt8.self)
            (target + (n &- 1)).storeBytes(of: source.load(fromByteOffset: n &- 1, as: UInt8.self), as: UInt8.self)
        } else if n > 16 && n <= 32 {
            target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
            (target + 8).storeBytes(of: source.loadUnaligned(fromByteOffset: 8, as: UInt64.self), as: UInt64.self)
            (target + (n &- 16)).storeBytes(of: source.loadUnaligned(fromByteOffset: n &- 16, as: UInt64.self), as: UInt64.self)
            (target + (n &- 8)).storeBytes(of: source.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self), as: UInt64.self)
        } else if n > 32 {
            target.copyMemory(from: source, byteCount: n)
        }
        position += n
    }

    /// Writes the normalized name (`TextNormalization.normalizedName`) as text; false, with
    /// nothing written, when it is empty. Never longer than `input`.
    @inlinable @inline(__always)
    public mutating func name(_ input: UnsafeRawBufferPointer) -> Bool {
        if TextNormalization.isPlainName(input) {
            text(input)
            return true
        }
        return normalizedName(input)
    }

    @usableFromInline
    mutating func normalizedName(_ input: UnsafeRawBufferPointer) -> Bool {
        var name = TextNormalization.normalizedName(input)
        if name.isEmpty { return false }
        name.withUTF8 { text(UnsafeRawBufferPointer($0)) }
        return true
    }
}

/// An accepted exchange record as ingestion hands it over: its compact bytes, valid only
/// during the call that receives the view.
public struct CompactRecordView {
    public var bytes: UnsafeRawBufferPointer
    public var origin: RecordOrigin
    /// A bank record in a currency other than CNY.
    public var isForeignCurrency: Bool

    public init(bytes: UnsafeRawBufferPointer, origin: RecordOrigin, isForeignCurrency: Bool) {
        self.bytes = bytes
        self.origin = origin
        self.isForeignCurrency = isForeignCurrency
    }
}

/// Where a compact record is written: the writer (which grows as needed) and the cursor (whose
/// room is reserved). The encodings built on bytes and integers are written once, here.
public protocol CompactRecordOutput {
    mutating func byte(_ value: UInt8)
    mutating func integer<T: FixedWidthInteger>(_ value: T)
}

extension CompactRecordOutput {
    @inlinable @inline(__always)
    public mutating func holder(_ id: IDNumber) {
        byte(0)
        integer(id.body)
    }

    @inlinable @inline(__always)
    public mutating func code<T: ExchangeCode>(_ value: T) { byte(CompactRecord.caseNumber(value)) }

    @inlinable @inline(__always)
    public mutating func optionalAmount(_ value: Fen?) {
        if let value {
            byte(1)
            integer(value.value)
        } else {
            byte(0)
        }
    }

    @inlinable @inline(__always)
    public mutating func textLength(_ n: Int) {
        if n < 255 {
            byte(UInt8(truncatingIfNeeded: n))
        } else {
            byte(255)
            integer(UInt32(n))
        }
    }
}
