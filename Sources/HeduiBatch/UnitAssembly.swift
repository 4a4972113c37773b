import HeduiAssess
import HeduiHouseholds
import HeduiIngest
import HeduiModel

/// Builds the facts of every unit: members with their attached records, and the review facts
/// (roster notes, rejected records, missing or incomplete sources).
struct UnitAssembly: Sendable {
    let roster: Roster
    let policy: PolicyTable
    let asOf: Day
    /// For each member: its unit and its position there.
    let placement: [(unit: Int32, position: Int32)]
    /// Finds the members with a given ID (for `RECORD_REJECTED`).
    let index: MemberIndex
    let missingSources: [SourceKind]
    let incompleteSources: [(SourceKind, [String])]

    init(roster: Roster, index: MemberIndex, policy: PolicyTable, asOf: Day, inbox: Inbox, summaries: [Int32: FileSummary]) {
        self.roster = roster
        self.policy = policy
        self.asOf = asOf
        var placement = [(unit: Int32, position: Int32)](repeating: (-1, -1), count: roster.members.count)
        for (u, unit) in roster.units.enumerated() {
            for (p, member) in unit.members.enumerated() {
                placement[Int(member.index)] = (Int32(u), Int32(p))
            }
        }
        self.placement = placement
        self.index = index
        var missing: [SourceKind] = []
        var incomplete: [(SourceKind, [String])] = []
        for source in SourceKind.verificationSources {
            let files = inbox.files.filter { $0.kind == source }
            let rejected = files.filter { summaries[$0.index]?.rejection != nil }.map(\.name)
            if files.count == rejected.count { missing.append(source) }
            if !rejected.isEmpty { incomplete.append((source, rejected)) }
        }
        missingSources = missing
        incompleteSources = incomplete
    }

    /// What is decided about every unit before its records are decoded: which attachments are
    /// its own (sorted by unit, stable, so each member's records stay in file and line order) and
    /// the review facts found in the quarantine.
    struct Plan: Sendable {
        /// `entries[unitStarts[u]..<unitStarts[u + 1]]` are unit `u`'s attachments.
        var unitStarts: [Int]
        var entries: [Attachment]
        var reviewFacts: [[ReviewFact]]

        func entries(ofUnit u: Int) -> ArraySlice<Attachment> { entries[unitStarts[u]..<unitStarts[u + 1]] }
    }

    /// Quarantines foreign-currency balances without a rate (updating `quarantine` and the file
    /// summaries), finds `RECORD_REJECTED` facts, and groups the attachments by unit.
    func plan(store: MatchedRecords, quarantine: inout [QuarantineEntry], summaries: inout [Int32: FileSummary]) -> Plan {
        var reviewFacts = [[ReviewFact]](repeating: [], count: roster.units.count)
        var rejected = [Bool](repeating: false, count: store.records.count)

        // A foreign-currency balance needs a rate in the unit's region (rules.md): otherwise quarantined.
        // Attachments of one record are consecutive, so each record is checked once.
        var k = 0
        let attachments = store.attachments
        while k < attachments.count {
            var end = k + 1
            while end < attachments.count && attachments[end].record == attachments[k].record { end += 1 }
            let index = attachments[k].record
            let stored = store.records[Int(index)]
            if stored.flags.contains(.foreignCurrency), !stored.flags.contains(.quarantinedCandidate), !stored.flags.contains(.duplicate),
                case let record = store.record(index), case .bank(let bank) = record.facts
            {
                let matches = attachments[k..<end]
                let lacking = matches.contains { match in
                    let unit = roster.units[Int(placement[Int(match.member)].unit)]
                    let household = roster.households[Int(unit.household)]
                    return policy.effective(for: household.regionCode, on: asOf).parameters.currencyRate(for: bank.currency) == nil
                }
                if lacking {
                    let file = stored.file
                    let name = summaries[file]!.name
                    let holder = record.holder
                    let entry = QuarantineEntry(
                        fileIndex: file, fileName: name,
                        location: summaries[file]!.format == .csv ? .line(stored.position) : .record(stored.position),
                        source: .bank, field: "currency", code: .currencyNoRate,
                        message: "currency: no rate for \(bank.currency) in the policy's currency_rates",
                        validID: { if case .valid(let id) = holder { id } else { nil } }())
                    quarantine.append(entry)
                    summaries[file]!.accepted -= 1
                    summaries[file]!.quarantined += 1
                    rejected[Int(index)] = true
                    for match in matches {
                        let (u, p) = placement[Int(match.member)]
                        reviewFacts[Int(u)].append(
                            .recordRejected(member: Int(p), file: name, location: entry.location.description, code: entry.code.rawValue))
                    }
                }
            }
            k = end
        }

        // RECORD_REJECTED: a quarantined record carrying a member's valid ID, or a refused roster row of the household.
        // Units by household ID, made only when a refused roster row names a household (hashing every
        // household's ID took a tenth of this stage).
        var householdUnits: [String: [Int]] = [:]
        if quarantine.contains(where: { $0.source == .roster && $0.householdID != nil }) {
            for (u, unit) in roster.units.enumerated() { householdUnits[roster.households[Int(unit.household)].id, default: []].append(u) }
        }
        var members: [MemberRef] = []
        for entry in quarantine {
            if let id = entry.validID, entry.code != .idChecksum {
                members.removeAll(keepingCapacity: true)
                index.members(withID: id, into: &members)
                for member in members {
                    let (u, p) = placement[Int(member.index)]
                    reviewFacts[Int(u)].append(
                        .recordRejected(
                            member: Int(p), file: entry.fileName, location: entry.location.description, code: entry.code.rawValue))
                }
            }
            if entry.source == .roster, let household = entry.householdID {
                for u in householdUnits[household] ?? [] {
                    reviewFacts[u].append(
                        .recordRejected(member: nil, file: entry.fileName, location: entry.location.description, code: entry.code.rawValue))
                }
            }
        }

        // Group the attachments by unit: a counting sort, stable.
        var starts = [Int](repeating: 0, count: roster.units.count + 1)
        let kept: (Attachment) -> Bool = { a in
            !rejected[Int(a.record)] && !store.records[Int(a.record)].flags.contains(.duplicate)
        }
        for a in attachments where kept(a) { starts[Int(placement[Int(a.member)].unit) + 1] += 1 }
        for u in 0..<roster.units.count { starts[u + 1] += starts[u] }
        var next = starts
        var entries = [Attachment](repeating: Attachment(record: 0, member: 0, isProbable: false), count: starts[roster.units.count])
        for a in attachments where kept(a) {
            let u = Int(placement[Int(a.member)].unit)
            entries[next[u]] = a
            next[u] += 1
        }
        return Plan(unitStarts: starts, entries: entries, reviewFacts: reviewFacts)
    }

    /// Unit `u`'s facts, its records decoded from `store`: called on the worker that assesses it.
    func facts(ofUnit u: Int, plan: Plan, store: MatchedRecords) -> UnitFacts {
        let unit = roster.units[u]
        let household = roster.households[Int(unit.household)]
        // The unit's records, copied into one storage of their own: the assessment reads them in place.
        let entries = plan.entries(ofUnit: u)
        var total = 0
        for a in entries { total += Int(store.records[Int(a.record)].length) }
        let storage = CompactRecordStorage(count: total) { buffer in
            var offset = 0
            for a in entries {
                let bytes = store.records[Int(a.record)].bytes
                UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<(offset + bytes.count)]).copyMemory(from: bytes)
                offset += bytes.count
            }
        }
        // The members, each with its records in an array sized at once (growing them by doubling,
        // in an array of arrays, was a third of this function). Two fields of the row, not the
        // whole row (copying it retained each of its strings).
        var members: [MemberFacts] = []
        members.reserveCapacity(unit.members.count)
        for ref in unit.members {
            members.append(
                MemberFacts(
                    declaredMonthlyIncome: roster.members[Int(ref.index)].row.declaredMonthlyIncome,
                    rigidExpenseAnnual: roster.members[Int(ref.index)].row.rigidExpenseAnnual, records: []))
        }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: members.count) { counts in
            counts.initialize(repeating: 0)
            for a in entries { counts[Int(placement[Int(a.member)].position)] += 1 }
            for p in members.indices where counts[p] > 0 { members[p].records.reserveCapacity(counts[p]) }
        }
        var offset = 0
        for a in entries {
            let stored = store.records[Int(a.record)]
            members[Int(placement[Int(a.member)].position)].records.append(
                AttachedRecord(
                    storage: storage, offset: offset, count: Int(stored.length),
                    origin: RecordOrigin(file: stored.file, position: stored.position), isProbable: a.isProbable))
            offset += Int(stored.length)
        }
        var review = plan.reviewFacts[u]
        for note in unit.notes {
            switch note {
            case .duplicateMembership(let member, let others):
                let names = others.map { roster.households[Int(roster.members[Int($0.index)].household)].id }
                review.append(.duplicateMembership(member: Int(placement[Int(member.index)].position), otherHouseholds: names))
            case .memberIDInvalid(let member):
                let problem: String
                switch roster.members[Int(member.index)].row.idProblem {
                case .checksum: problem = "check character wrong"
                case .birthDate: problem = "birth date not a real date"
                default: problem = "not an 18- or 15-character ID number"
                }
                review.append(.memberIDInvalid(member: Int(placement[Int(member.index)].position), problem: problem))
            case .separateHouseholdInvalid(let member, let why):
                review.append(.separateHouseholdInvalid(member: Int(placement[Int(member.index)].position), why: "\(why)"))
            }
        }
        for source in missingSources { review.append(.sourceMissing(source)) }
        for (source, files) in incompleteSources { review.append(.sourceIncomplete(source, files: files)) }
        return UnitFacts(
            unitID: unit.id, householdID: household.id, regionCode: household.regionCode, areaType: household.areaType,
            applicationType: household.applicationType, currentStatus: household.currentStatus,
            members: members, reviewFacts: review)
    }

    /// Roster rows that disagree with their household's first row, for the manifest (rules.md, point 8).
    func conflictDescriptions(inbox: Inbox) -> [String] {
        roster.conflicts.map { conflict in
            let file = inbox.files[Int(conflict.origin.file)]
            let location = file.format == .csv ? "line \(conflict.origin.position)" : "record \(conflict.origin.position)"
            return
                "\(file.name) \(location): household \(conflict.householdID): \(conflict.field) differs from the household's first row (the first row counts)"
        }
    }
}
