import Foundation
import HeduiModel

/// Everything the spot-check draw reads, as a run writes it to `spotcheck-inputs.json` beside `spotcheck.csv`,
/// so that `hedui sample verify --run DIR` can re-derive the sample from the run folder alone.
///
/// The file is deterministic JSON (UTF-8, LF, keys in a fixed order, one unit / inspector / region per line):
///
/// ```
/// {"format":"hedui-spotcheck-inputs/1",
/// "seed":"2024-05-31",
/// "regions":[
/// {"region_code":"330902","rate_units":5,"rate_scale":2,"min_per_stratum":1,"band_units":1,"band_scale":1,"risk_weight":3}
/// ],
/// "inspectors":[
/// {"inspector_id":"JC001","home_region":"330902","capacity":null}
/// ],
/// "units":[
/// {"unit_id":"DH0001","region":"330902","status":"eligible_dibao","monthly_income":90000,"members":1,"standard":113333,"low_income_line":170000,"reasons":["VEHICLE_OWNED"]}
/// ]}
/// ```
///
/// Amounts are fen (integers); `standard` and `low_income_line` are null for `POLICY_MISSING`. Units are in
/// unit_id order (UTF-8 bytes), inspectors in inspector_id order, regions by code. No names, no ID numbers
/// beyond those a unit id may hold (the same as in `spotcheck.csv`).
public struct SpotCheckInputs: Sendable, Equatable {
    public static let fileName = "spotcheck-inputs.json"
    public static let format = "hedui-spotcheck-inputs/1"

    public var seed: String
    public var parameters: [RegionCode: SamplingParameters]
    public var units: [SamplingUnit]
    public var inspectors: [InspectorInfo]

    public init(seed: String, parameters: [RegionCode: SamplingParameters], units: [SamplingUnit], inspectors: [InspectorInfo]) {
        self.seed = seed
        self.parameters = parameters
        self.units = units
        self.inspectors = inspectors
    }

    /// The region's parameters; a region without an entry uses rules.md's example values.
    public func parameters(for region: RegionCode) -> SamplingParameters { parameters[region] ?? .specDefaults }

    /// The sample these inputs give.
    public func draw() -> [SpotCheckRow] {
        SpotCheck.draw(units: units, inspectors: inspectors, seed: seed) { parameters(for: $0) }
    }

    /// Compares a published `spotcheck.csv` with the sample these inputs give.
    public func verify(published: [UInt8]) -> VerificationResult {
        SpotCheck.verify(published: published, units: units, inspectors: inspectors, seed: seed) { parameters(for: $0) }
    }

    // MARK: - Writing

    /// The file's bytes (deterministic: the same inputs give the same bytes, whatever their order).
    public func render() -> [UInt8] {
        // Written straight into a byte buffer: a provincial run has about a million units.
        var text = TextBuffer(capacity: (1 << 16) + units.count * 224)  // about 210 bytes a unit at 200,000 units
        text.append("{\"format\":")
        text.appendJSONString(Self.format)
        text.append(",\n\"seed\":")
        text.appendJSONString(seed)
        text.append(",\n\"regions\":[")
        let regions = parameters.keys.sorted()
        for (i, region) in regions.enumerated() {
            let p = parameters[region]!
            text.append(i == 0 ? "\n" : ",\n")
            text.append("{\"region_code\":")
            text.appendJSONString(region.description)
            text.append(",\"rate_units\":")
            text.appendDecimal(p.rateUnits)
            text.append(",\"rate_scale\":")
            text.appendDecimal(Int64(p.rateScale))
            text.append(",\"min_per_stratum\":")
            text.appendDecimal(Int64(p.minPerStratum))
            text.append(",\"band_units\":")
            text.appendDecimal(p.bandUnits)
            text.append(",\"band_scale\":")
            text.appendDecimal(Int64(p.bandScale))
            text.append(",\"risk_weight\":")
            text.appendDecimal(Int64(p.riskWeight))
            text.append(UInt8(ascii: "}"))
        }
        text.append(regions.isEmpty ? "" : "\n")
        text.append("],\n\"inspectors\":[")
        let staff = inspectors.sorted { a, b in
            if !SpotCheck.utf8Equal(a.inspectorID, b.inspectorID) { return SpotCheck.utf8Less(a.inspectorID, b.inspectorID) }
            if a.homeRegion != b.homeRegion { return a.homeRegion < b.homeRegion }
            return (a.capacity ?? Int.max) < (b.capacity ?? Int.max)
        }
        for (i, s) in staff.enumerated() {
            text.append(i == 0 ? "\n" : ",\n")
            text.append("{\"inspector_id\":")
            text.appendJSONString(s.inspectorID)
            text.append(",\"home_region\":")
            text.appendJSONString(s.homeRegion.description)
            text.append(",\"capacity\":")
            if let capacity = s.capacity { text.appendDecimal(Int64(capacity)) } else { text.append("null") }
            text.append(UInt8(ascii: "}"))
        }
        text.append(staff.isEmpty ? "" : "\n")
        text.append("],\n\"units\":[")
        let order = SpotCheck.canonicalOrder(Array(units.indices), in: units)
        for (i, index) in order.enumerated() {
            let u = units[index]
            text.append(i == 0 ? "\n" : ",\n")
            text.append("{\"unit_id\":")
            text.appendJSONString(u.unitID)
            text.append(",\"region\":")
            text.appendJSONString(u.regionCode.description)
            text.append(",\"status\":")
            text.appendJSONString(u.status)
            text.append(",\"monthly_income\":")
            text.appendDecimal(u.monthlyIncome.value)
            text.append(",\"members\":")
            text.appendDecimal(Int64(u.members))
            text.append(",\"standard\":")
            if let standard = u.standard { text.appendDecimal(standard.value) } else { text.append("null") }
            text.append(",\"low_income_line\":")
            if let line = u.lowIncomeLine { text.appendDecimal(line.value) } else { text.append("null") }
            text.append(",\"reasons\":[")
            for (k, reason) in u.reasons.enumerated() {
                if k > 0 { text.append(UInt8(ascii: ",")) }
                text.appendJSONString(reason)
            }
            text.append("]}")
        }
        text.append(order.isEmpty ? "" : "\n")
        text.append("]}\n")
        return text.bytes
    }

    // MARK: - Reading

    /// Why `spotcheck-inputs.json` could not be read.
    public struct FormatError: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { "\(SpotCheckInputs.fileName): \(message)" }
    }

    /// Reads the file's bytes.
    ///
    /// - Throws: `FormatError` naming the first thing that is missing or of the wrong type.
    public static func parse(_ bytes: [UInt8]) throws -> SpotCheckInputs {
        guard let root = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw FormatError(message: "not a JSON object")
        }
        guard root["format"] as? String == format else { throw FormatError(message: "format is not \(format)") }
        guard let seed = root["seed"] as? String else { throw FormatError(message: "no seed") }
        func int(_ object: [String: Any], _ key: String, _ what: String) throws -> Int64 {
            guard let n = object[key] as? NSNumber, n.stringValue == String(n.int64Value) else {
                throw FormatError(message: "\(what): \(key) is not an integer")
            }
            let v = n.int64Value
            return v
        }
        func optionalInt(_ object: [String: Any], _ key: String, _ what: String) throws -> Int64? {
            if object[key] == nil || object[key] is NSNull { return nil }
            return try int(object, key, what)
        }
        func region(_ text: Any?, _ what: String) throws -> RegionCode {
            guard let s = text as? String, let code = RegionCode(s) else { throw FormatError(message: "\(what): not a region code") }
            return code
        }
        var parameters: [RegionCode: SamplingParameters] = [:]
        for (i, r) in ((root["regions"] as? [[String: Any]]) ?? []).enumerated() {
            let what = "regions[\(i)]"
            let code = try region(r["region_code"], what)
            parameters[code] = SamplingParameters(
                rateUnits: try int(r, "rate_units", what), rateScale: Int(try int(r, "rate_scale", what)),
                minPerStratum: Int(try int(r, "min_per_stratum", what)), bandUnits: try int(r, "band_units", what),
                bandScale: Int(try int(r, "band_scale", what)), riskWeight: Int(try int(r, "risk_weight", what)))
            guard (0...19).contains(parameters[code]!.rateScale), (0...19).contains(parameters[code]!.bandScale) else {
                throw FormatError(message: "\(what): decimal scale out of range")
            }
        }
        var inspectors: [InspectorInfo] = []
        for (i, s) in ((root["inspectors"] as? [[String: Any]]) ?? []).enumerated() {
            let what = "inspectors[\(i)]"
            guard let id = s["inspector_id"] as? String else { throw FormatError(message: "\(what): no inspector_id") }
            inspectors.append(
                InspectorInfo(
                    inspectorID: id, homeRegion: try region(s["home_region"], what),
                    capacity: try optionalInt(s, "capacity", what).map { Int($0) }))
        }
        guard let unitObjects = root["units"] as? [[String: Any]] else { throw FormatError(message: "no units") }
        var units: [SamplingUnit] = []
        units.reserveCapacity(unitObjects.count)
        for (i, u) in unitObjects.enumerated() {
            let what = "units[\(i)]"
            guard let id = u["unit_id"] as? String, let status = u["status"] as? String else {
                throw FormatError(message: "\(what): no unit_id or status")
            }
            guard let reasons = u["reasons"] as? [String] else { throw FormatError(message: "\(what): reasons is not a list of strings") }
            let code = try region(u["region"], what)
            let income = try int(u, "monthly_income", what)
            let members = try int(u, "members", what)
            let standard: Fen? = try optionalInt(u, "standard", what).map { Fen($0) }
            let line: Fen? = try optionalInt(u, "low_income_line", what).map { Fen($0) }
            units.append(
                SamplingUnit(
                    unitID: id, regionCode: code, status: status, monthlyIncome: Fen(income),
                    members: Int(members), standard: standard, lowIncomeLine: line, reasons: reasons))
        }
        return SpotCheckInputs(seed: seed, parameters: parameters, units: units, inspectors: inspectors)
    }

    // MARK: - Verifying a run folder

    /// The outcome of `hedui sample verify --run DIR`.
    public struct RunVerification: Sendable {
        /// 0 identical, 1 different, 2 a file is missing or unreadable.
        public var exitCode: Int32
        public var message: String
    }

    /// Reads `<run>/spotcheck-inputs.json` and `<run>/spotcheck.csv` and re-derives the draw.
    public static func verifyRun(path: String) -> RunVerification {
        func read(_ name: String) -> [UInt8]? {
            FileManager.default.contents(atPath: (path as NSString).appendingPathComponent(name)).map { Array($0) }
        }
        guard let inputBytes = read(fileName) else {
            return RunVerification(
                exitCode: 2, message: "\(path)/\(fileName): no such file (a run of an older engine, or not a run folder)")
        }
        guard let published = read("spotcheck.csv") else {
            return RunVerification(exitCode: 2, message: "\(path)/spotcheck.csv: no such file")
        }
        let inputs: SpotCheckInputs
        do { inputs = try parse(inputBytes) } catch {
            return RunVerification(exitCode: 2, message: "\(path)/\(error)")
        }
        switch inputs.verify(published: published) {
        case .identical(let rows):
            return RunVerification(exitCode: 0, message: "spotcheck.csv matches the draw re-derived from \(fileName) (\(rows) rows)")
        case .different(_, let message):
            return RunVerification(exitCode: 1, message: message)
        }
    }
}
