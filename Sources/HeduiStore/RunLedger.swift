import Foundation
import GRDB
import GRDBSQLite

#if canImport(Glibc)
    import Glibc
#endif

/// The embedded run ledger (`hedui.sqlite`): runs, their input files, every unit's result per run,
/// the files each run published, and the spot-check sample and recheck outcomes.
///
/// One `DatabaseQueue` (SQLite's rollback journal): a run writes everything in one transaction
/// at its end, so a process killed at any moment leaves the ledger as it was (SQLite rolls a hot
/// journal back when the file is next opened). The file is created owner-only (0600).
public final class RunLedger: Sendable {
    public let path: String
    private let queue: DatabaseQueue

    /// Opens (creating if needed) the ledger at `path` and applies pending migrations.
    ///
    /// - Throws: `LedgerError` when the file cannot be created, opened or migrated.
    ///
    /// - Parameter createIfMissing: false to fail rather than create a new, empty ledger.
    public init(path: String, createIfMissing: Bool = true) throws {
        self.path = path
        if !createIfMissing, !FileManager.default.fileExists(atPath: path) {
            throw LedgerError(path: path, message: "no such file")
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, !FileManager.default.fileExists(atPath: parent) {
            do {
                try FileManager.default.createDirectory(
                    atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw LedgerError(path: path, message: "cannot create its folder: \(error.localizedDescription)")
            }
        }
        // SQLite would create the file 0644; create it 0600 first (its journal inherits the mode).
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LedgerError(path: path, message: String(cString: strerror(errno))) }
        close(fd)
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.label = "hedui.ledger"
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(queue)
        } catch {
            throw LedgerError(path: path, cause: error)
        }
    }

    /// The migrations, in order. Never edit a shipped migration: add `v2`, `v3`…
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "run") { t in
                t.primaryKey("seq", .integer)
                t.column("run_id", .text).notNull().unique()
                t.column("identity", .text).notNull().indexed()
                t.column("output_path", .text).notNull()
                t.column("as_of", .text).notNull()
                t.column("seed", .text).notNull()
                t.column("policy_file", .text).notNull()
                t.column("policy_sha256", .text).notNull()
                t.column("engine_version", .text).notNull()
                t.column("threads", .integer).notNull()
                t.column("started_at", .datetime).notNull()
                t.column("finished_at", .datetime).notNull()
                t.column("duration_seconds", .double).notNull()
                t.column("exit_code", .integer).notNull()
                t.column("units", .integer).notNull()
                t.column("flagged", .integer).notNull()
                t.column("records_read", .integer).notNull()
                t.column("quarantined", .integer).notNull()
                t.column("rejected_files", .integer).notNull()
                t.column("forced", .boolean).notNull()
                t.column("previous_run_id", .text)
            }
            try db.create(table: "input_file") { t in
                t.column("run_id", .text).notNull().references("run", column: "run_id", onDelete: .cascade)
                t.column("position", .integer).notNull()
                t.column("name", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("format", .text).notNull()
                t.column("compressed", .boolean).notNull()
                t.column("encoding", .text).notNull()
                t.column("sha256", .text).notNull()
                t.column("bytes", .integer).notNull()
                t.column("records_read", .integer).notNull()
                t.column("accepted", .integer).notNull()
                t.column("quarantined", .integer).notNull()
                t.column("duplicates", .integer).notNull()
                t.column("unrelated", .integer).notNull()
                t.column("rejected", .boolean).notNull()
                t.column("rejection_code", .text)
                t.primaryKey(["run_id", "position"])
            }
            try db.create(table: "unit_result") { t in
                t.column("run_id", .text).notNull().references("run", column: "run_id", onDelete: .cascade)
                t.column("unit_id", .text).notNull()
                t.column("household_id", .text).notNull()
                t.column("region_code", .text).notNull()
                t.column("area_type", .text).notNull()
                t.column("status", .text).notNull()
                t.column("flag", .text).notNull()
                t.column("reasons", .text).notNull()
                t.column("members", .integer).notNull()
                t.column("monthly_income_fen", .integer).notNull()
                t.column("financial_assets_fen", .integer).notNull()
                t.column("vehicles", .integer).notNull()
                t.column("homes", .integer).notNull()
                t.column("housing_area_hundredths", .integer).notNull()
                t.column("standard_fen", .integer)
                t.column("suggested_benefit", .integer).notNull()
                t.primaryKey(["run_id", "unit_id"])
            }
            try db.create(table: "output_file") { t in
                t.column("run_id", .text).notNull().references("run", column: "run_id", onDelete: .cascade)
                t.column("name", .text).notNull()
                t.column("sha256", .text).notNull()
                t.column("bytes", .integer).notNull()
                t.primaryKey(["run_id", "name"])
            }
            // Spot checks (rules.md): the sample drawn per run and the outcomes inspectors record.
            // Created empty here; the spot-check module fills them.
            try db.create(table: "spotcheck_sample") { t in
                t.column("run_id", .text).notNull().references("run", column: "run_id", onDelete: .cascade)
                t.column("unit_id", .text).notNull()
                t.column("region_code", .text).notNull()
                t.column("status", .text).notNull()
                t.column("stratum", .text).notNull()
                t.column("weight", .text).notNull()
                t.column("inspector_id", .text)
                t.column("note", .text).notNull()
                t.primaryKey(["run_id", "unit_id"])
            }
            try db.create(table: "recheck_outcome") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("run_id", .text).notNull().references("run", column: "run_id", onDelete: .cascade)
                t.column("unit_id", .text).notNull()
                t.column("inspector_id", .text)
                t.column("recorded_at", .datetime).notNull()
                t.column("outcome", .text).notNull()
                t.column("status", .text)
                t.column("note", .text).notNull()
            }
            try db.create(index: "recheck_outcome_on_unit", on: "recheck_outcome", columns: ["run_id", "unit_id"])
        }
        return migrator
    }

    /// The names of the migrations applied to this ledger.
    public func appliedMigrations() throws -> [String] {
        try read { db in try Self.migrator.appliedMigrations(db) }
    }

    // MARK: - Reading

    /// All runs, oldest first.
    public func runs() throws -> [RunRecord] {
        try read { db in try RunRecord.order(Column("seq")).fetchAll(db) }
    }

    public func runCount() throws -> Int {
        try read { db in try RunRecord.fetchCount(db) }
    }

    /// The run with this run id, or with this ledger sequence number (`runs show 3`).
    public func run(_ idOrSeq: String) throws -> RunRecord? {
        try read { db in
            if let run = try RunRecord.filter(Column("run_id") == idOrSeq).fetchOne(db) { return run }
            if let seq = Int64(idOrSeq) { return try RunRecord.filter(Column("seq") == seq).fetchOne(db) }
            return nil
        }
    }

    /// The runs with this identity (forced or not) that published into `outputPath`, latest first.
    public func runs(identity: String, outputPath: String) throws -> [RunRecord] {
        try read { db in
            try RunRecord
                .filter(Column("identity") == identity && Column("output_path") == outputPath)
                .order(Column("seq").desc)
                .fetchAll(db)
        }
    }

    /// The run a new run on `asOf` compares with: the latest run (by ledger order) whose as-of date
    /// is on or before `asOf`, leaving out `excluding` and every run recorded after it.
    public func previousRun(asOf: String, excluding runID: String?) throws -> RunRecord? {
        try read { db in
            var request = RunRecord.filter(Column("as_of") <= asOf)
            if let runID, let own = try RunRecord.filter(Column("run_id") == runID).fetchOne(db), let seq = own.seq {
                request = request.filter(Column("seq") < seq)
            }
            return try request.order(Column("seq").desc).fetchOne(db)
        }
    }

    /// The latest run recorded for `outputPath`.
    public func latestRun(outputPath: String) throws -> RunRecord? {
        try read { db in
            try RunRecord.filter(Column("output_path") == outputPath).order(Column("seq").desc).fetchOne(db)
        }
    }

    /// How many runs have this identity (to number a forced rerun).
    public func runCount(identity: String) throws -> Int {
        try read { db in try RunRecord.filter(Column("identity") == identity).fetchCount(db) }
    }

    public func inputFiles(runID: String) throws -> [InputFileRecord] {
        try read { db in try InputFileRecord.filter(Column("run_id") == runID).order(Column("position")).fetchAll(db) }
    }

    public func outputFiles(runID: String) throws -> [OutputFileRecord] {
        try read { db in try OutputFileRecord.filter(Column("run_id") == runID).order(Column("name")).fetchAll(db) }
    }

    /// Every unit's result in a run, sorted by unit id.
    public func unitResults(runID: String) throws -> [UnitResultRecord] {
        try read { db in try UnitResultRecord.filter(Column("run_id") == runID).order(Column("unit_id")).fetchAll(db) }
    }

    /// Units per status and per flag in a run.
    public func unitCounts(runID: String) throws -> (status: [String: Int], flag: [String: Int]) {
        try read { db in
            var status: [String: Int] = [:]
            var flag: [String: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT status, COUNT(*) FROM unit_result WHERE run_id = ? GROUP BY status", arguments: [runID])
            {
                status[row[0]] = row[1]
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT flag, COUNT(*) FROM unit_result WHERE run_id = ? AND flag <> '' GROUP BY flag", arguments: [runID])
            {
                flag[row[0]] = row[1]
            }
            return (status, flag)
        }
    }

    /// When the latest successful run (exit 0 or 3) finished, if any.
    public func lastSuccess() throws -> Date? {
        try read { db in
            try Date.fetchOne(db, sql: "SELECT MAX(finished_at) FROM run WHERE exit_code IN (0, 3)")
        }
    }

    public func spotcheckSample(runID: String) throws -> [SpotcheckSampleRecord] {
        try read { db in try SpotcheckSampleRecord.filter(Column("run_id") == runID).order(Column("unit_id")).fetchAll(db) }
    }

    public func recheckOutcomes(runID: String) throws -> [RecheckOutcomeRecord] {
        try read { db in try RecheckOutcomeRecord.filter(Column("run_id") == runID).order(Column("id")).fetchAll(db) }
    }

    // MARK: - Writing

    /// Everything one run adds to the ledger, written in one transaction.
    public struct RunEntry: Sendable {
        public var run: RunRecord
        public var inputs: [InputFileRecord]
        public var units: [UnitResultRecord]
        public var outputs: [OutputFileRecord]
        public var sample: [SpotcheckSampleRecord]

        public init(
            run: RunRecord, inputs: [InputFileRecord], units: [UnitResultRecord], outputs: [OutputFileRecord],
            sample: [SpotcheckSampleRecord] = []
        ) {
            self.run = run
            self.inputs = inputs
            self.units = units
            self.outputs = outputs
            self.sample = sample
        }
    }

    /// Records a run in one transaction. A run id already in the ledger (an identical run
    /// re-published because its output had gone) is updated in place: same row, same place in
    /// the ledger's order, its files, units and sample replaced.
    ///
    /// - Parameter beforeCommit: called inside the transaction, last (the crash tests kill there).
    /// - Returns: the run as stored, with its sequence number.
    @discardableResult
    public func record(_ entry: RunEntry, beforeCommit: () -> Void = {}) throws -> RunRecord {
        try record(runID: entry.run.runID, units: entry.units, rest: { entry }, beforeCommit: beforeCommit)
    }

    /// `record(_:beforeCommit:)` in two steps within its one transaction, so that the bulk of it
    /// can be written while the caller is still busy: first `units` (a provincial run has about a
    /// million), then whatever `rest()` returns (the run row, files and sample, known once the
    /// output is published; its `units` are ignored). `rest` may block; when it throws, the
    /// transaction is rolled back and nothing is recorded. Foreign keys are checked at the
    /// commit (`defer_foreign_keys`), as the unit rows go in before their run row.
    @discardableResult
    public func record(
        runID: String, units: [UnitResultRecord], rest: () throws -> RunEntry,
        beforeCommit: () -> Void = {}
    ) throws -> RunRecord {
        try write { db in
            defer { beforeCommit() }
            try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
            let existing = try RunRecord.filter(Column("run_id") == runID).fetchOne(db)
            if existing != nil {
                for table in ["input_file", "unit_result", "output_file", "spotcheck_sample"] {
                    try db.execute(sql: "DELETE FROM \(table) WHERE run_id = ?", arguments: [runID])
                }
            }
            // One prepared statement for every unit row, its values bound with SQLite's C API: a
            // provincial run records about a million rows. GRDB's Codable persistence took ~50 µs a
            // row (13 s for 203,233 rows), its `StatementArguments` ~5 µs; this is ~1 µs.
            let insertUnit = try db.makeStatement(
                sql: """
                    INSERT INTO unit_result (run_id, unit_id, household_id, region_code, area_type, status, flag, reasons,
                    members, monthly_income_fen, financial_assets_fen, vehicles, homes, housing_area_hundredths,
                    standard_fen, suggested_benefit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            let statement = insertUnit.sqliteStatement
            for unit in units {
                sqlite3_reset(statement)
                Self.bind(statement, 1, unit.runID)
                Self.bind(statement, 2, unit.unitID)
                Self.bind(statement, 3, unit.householdID)
                Self.bind(statement, 4, unit.regionCode)
                Self.bind(statement, 5, unit.areaType)
                Self.bind(statement, 6, unit.status)
                Self.bind(statement, 7, unit.flag)
                Self.bind(statement, 8, unit.reasons)
                sqlite3_bind_int64(statement, 9, Int64(unit.members))
                sqlite3_bind_int64(statement, 10, unit.monthlyIncomeFen)
                sqlite3_bind_int64(statement, 11, unit.financialAssetsFen)
                sqlite3_bind_int64(statement, 12, Int64(unit.vehicles))
                sqlite3_bind_int64(statement, 13, Int64(unit.homes))
                sqlite3_bind_int64(statement, 14, unit.housingAreaHundredths)
                if let standard = unit.standardFen { sqlite3_bind_int64(statement, 15, standard) } else { sqlite3_bind_null(statement, 15) }
                sqlite3_bind_int64(statement, 16, unit.suggestedBenefit)
                let code = sqlite3_step(statement)
                guard code == SQLITE_DONE else {
                    throw DatabaseError(
                        resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
                }
            }
            sqlite3_reset(statement)
            let entry = try rest()
            precondition(entry.run.runID == runID, "RunLedger.record: the rest is of another run")
            var run = entry.run
            if let existing {
                run.seq = existing.seq
                run.previousRunID = existing.previousRunID
                try run.update(db)
            } else {
                try run.insert(db)
                run.seq = db.lastInsertedRowID
            }
            for file in entry.inputs { try file.insert(db) }
            for file in entry.outputs { try file.insert(db) }
            let insertDrawn = try db.makeStatement(
                sql: """
                    INSERT INTO spotcheck_sample (run_id, unit_id, region_code, status, stratum, weight, inspector_id, note)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for drawn in entry.sample {
                insertDrawn.setUncheckedArguments([
                    drawn.runID, drawn.unitID, drawn.regionCode, drawn.status, drawn.stratum, drawn.weight, drawn.inspectorID,
                    drawn.note,
                ])
                try insertDrawn.execute()
            }
            return run
        }
    }

    /// Binds text to parameter `index` (1-based); SQLite copies it (SQLITE_TRANSIENT).
    private static func bind(_ statement: OpaquePointer?, _ index: Int32, _ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            _ = utf8.withMemoryRebound(to: CChar.self) { chars in
                if let base = chars.baseAddress {
                    sqlite3_bind_text(statement, index, base, Int32(chars.count), Self.transient)
                } else {
                    sqlite3_bind_text(statement, index, "", 0, Self.transient)
                }
            }
        }
    }

    /// SQLite's SQLITE_TRANSIENT destructor: the bound value is copied at once.
    private static let transient = unsafeBitCast(Int(-1), to: sqlite3_destructor_type.self)

    /// Records what an inspector found for a drawn unit (an outcome already recorded for the unit is replaced).
    public func recordRecheck(_ outcome: RecheckOutcomeRecord) throws {
        try recordRecheck([outcome])
    }

    /// Records outcomes in one transaction. One outcome per (run, unit): a unit that has one already is
    /// updated in place (same id), so that importing the same or a corrected row again adds no duplicate.
    /// (Enforced here rather than by a unique index, so that the shipped migration `v1` stays as it is.)
    ///
    /// - Returns: how many were new and how many updated.
    @discardableResult
    public func recordRecheck(_ outcomes: [RecheckOutcomeRecord]) throws -> (inserted: Int, updated: Int) {
        try write { db in
            var inserted = 0, updated = 0
            for var outcome in outcomes {
                if let id = try Int64.fetchOne(
                    db, sql: "SELECT id FROM recheck_outcome WHERE run_id = ? AND unit_id = ?",
                    arguments: [outcome.runID, outcome.unitID])
                {
                    outcome.id = id
                    try outcome.update(db)
                    updated += 1
                } else {
                    outcome.id = nil
                    try outcome.insert(db)
                    inserted += 1
                }
            }
            return (inserted, updated)
        }
    }

    /// The latest run (highest sequence number), or nil for an empty ledger.
    public func latestRun() throws -> RunRecord? {
        try read { db in try RunRecord.order(Column("seq").desc).fetchOne(db) }
    }

    // MARK: - Access

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.read(body) } catch { throw LedgerError(path: path, cause: error) }
    }

    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.write(body) } catch { throw LedgerError(path: path, cause: error) }
    }
}

/// The run ledger could not be opened, read or written.
public struct LedgerError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// Describes `cause` without any value from a row or a statement argument: a unit id can
    /// hold an ID number, and GRDB's decoding errors print the row.
    init(path: String, cause: any Error) {
        self.path = path
        switch cause {
        case let error as LedgerError:
            message = error.message
        case let error as DatabaseError:
            message = "SQLite error \(error.resultCode.rawValue): \(error.message ?? "")"
        default:
            message = "\(type(of: cause)) (the ledger's schema or content is not what this engine expects)"
        }
    }
    public var description: String { "run ledger \(path): \(message)" }
}
