import HeduiAssess

/// The language of the reports: Chinese (the default, for relief offices) or English.
public enum ReportLanguage: String, CaseIterable, Sendable {
    case zh, en
}

/// Every word a person reads in the reports, in Chinese and English: the single place for report text.
///
/// Code elsewhere in HeduiReport never spells user-facing text; it asks the catalog by a `Key`, a reason
/// code, a status, a flag, a figure name or a code word from the run's files. `CatalogTests` fails when an
/// entry lacks a language or a reason code of rules.md lacks a wording.
public struct Catalog: Sendable {
    public let language: ReportLanguage

    public init(_ language: ReportLanguage) { self.language = language }

    /// Labels, headings and phrases.
    public enum Key: String, CaseIterable, Sendable {
        // Titles
        case flaggedListTitle, verificationReportTitle, summaryTitle, publicNoticeTitle, publicNoticeIntro
        case publicNoticeFooter, flaggedSheet, publicNoticeSheet
        // Columns of the flagged list
        case colPriority, colFlag, colUnit, colHousehold, colRegionCode, colRegionName, colAreaType, colApplicant
        case colStatus, colReasons, colReasonCodes, colMembers, colMonthlyIncome, colFinancialAssets, colVehicles
        case colHomes, colHousingArea, colStandard, colSuggestedBenefit, colAddress
        // Columns of the public notice
        case colSerial, colMaskedName, colMaskedID, colHouseholdSize, colLevel
        // Member table
        case memberName, memberID, memberRelation, memberDisability, memberEmployment, memberDeclared, memberVerified
        case memberRigidExpense, memberIndex
        // Verification report sections
        case sectionHousehold, sectionMembers, sectionConclusion, sectionIncome, sectionReasons, sectionEvidence
        case applicationType, currentStatus, address, asOfDate, runID, incomeWindow, unitID, region, areaType
        case conclusionStatus, conclusionFlag, conclusionBenefit, noReasons, levelChangeOnly
        case declaredTotal, verifiedTotal, declaredVsVerified
        case evSource, evFile, evPosition, evLabel, evDate, evAmount, evCounted, evMember, evProbable
        case counted, notCounted, probableYes, holderAsGiven, rosterAsGiven, membersConcerned, note
        case lineN, recordN, totalLine, perCapitaLine, otherFigures, noHouseholdsFile, unknownMember
        case pageOf, generatedBy, yuan, persons, householdsUnit, vehiclesUnit, homesUnit, squareMetres
        case outcomeCertain, outcomeWithProbable, standardPerPerson, lowIncomeLine
        // Summary
        case summaryRun, summaryUnitsByStatus, summaryFlagsByRegion, summaryReasons, summaryQuarantine
        case summaryFiles, summaryTotal, summaryRegionFiles, quarantineNone, fileName, fileKind, recordsRead
        case accepted, quarantined, duplicate, unrelated, rejected, quarantineLocation, quarantineField
        case quarantineCode, quarantineMessage, yes, no, flaggedListLink, verificationLink, publicNoticeLink
        case summaryEngine, count, reason, allRegions, linksCSV
        case summaryChanges, changesNone, changesNewlyIneligible, changesNewlyEligible, changesLevelChanged
        case changesSince, previousStatus, statusNow
        // Recheck worksheets (复核工作表, one per inspector)
        case worksheetTitle, worksheetIntro, worksheetInspector, worksheetUnits, worksheetChecklist, worksheetFindings
        case worksheetDate, worksheetOutcome, worksheetOutcomeChoices, worksheetCorrectedStatus, worksheetStatusChoices
        case worksheetNote, worksheetSignature, worksheetReasons, worksheetNoHousehold
        case checkVehicle, checkAssets, checkIncome, checkProperty, checkNonResidential, checkDuplicate, checkProbable
        case checkDeclaredIncome, checkGeneral, checkMemberIdentity, checkSeparateHousehold, checkRejectedRecord
        // Misc
        case none, empty
    }

    /// A catalog text with `{}` replaced by `argument` (checklist lines: "核实车辆 {} 是否仍在使用").
    public func text(_ key: Key, _ argument: String) -> String {
        text(key).replacingOccurrences(of: "{}", with: argument)
    }

    public func text(_ key: Key) -> String { pick(Self.texts[key] ?? ("", "")) }

    /// The plain-words title of a reason code (e.g. "家庭月收入超过低保标准").
    public func reasonTitle(_ reason: AssessmentReason) -> String { pick(Self.reasons[reason]?.title ?? ("", "")) }

    /// What the reason means and what the caseworker should do, in one or two sentences.
    public func reasonExplanation(_ reason: AssessmentReason) -> String {
        pick(Self.reasons[reason]?.explanation ?? ("", ""))
    }

    /// A reason code of the run's files, worded; an unknown code is shown as it is.
    public func reasonTitle(code: String) -> String {
        AssessmentReason(rawValue: code).map(reasonTitle) ?? code
    }

    public func status(_ status: AssessmentStatus) -> String { pick(Self.statuses[status] ?? ("", "")) }
    public func status(code: String) -> String { AssessmentStatus(rawValue: code).map(status) ?? code }

    public func flag(_ flag: ReliefFlag) -> String { pick(Self.flags[flag] ?? ("", "")) }
    public func flag(code: String) -> String { ReliefFlag(rawValue: code).map(flag) ?? code }

    /// The label of a figure name of evidence.jsonl (`monthly_income`, `threshold_standard_x_n`, ...).
    public func figure(_ name: String) -> String { Self.figures[name].map(pick) ?? name }

    /// A code word of the roster or the exchange files (relation, employment, account type, source, ...).
    public func word(_ code: String) -> String { Self.words[code].map(pick) ?? code }

    /// An evidence label with its code words translated token by token (`105 …2700 demand` → `105 …2700 活期`).
    public func label(_ label: String) -> String {
        label.split(separator: " ", omittingEmptySubsequences: false)
            .map { token in Self.labelWords[String(token)].map(pick) ?? String(token) }
            .joined(separator: " ")
    }

    /// An engine note (`underAge(17)`, `also in DHS23`, ...) in plain words; an unknown note is shown as it is.
    public func note(_ note: String) -> String {
        note.components(separatedBy: "; ").map(noteClause).joined(separator: language == .zh ? "；" : "; ")
    }

    private func noteClause(_ clause: String) -> String {
        // "<file> line 4 BAD_DATE": a quarantined record of a member.
        let tokens = clause.split(separator: " ").map(String.init)
        if tokens.count == 4, tokens[1] == "line" || tokens[1] == "record" {
            let position = text(tokens[1] == "line" ? .lineN : .recordN).replacingOccurrences(of: "{}", with: tokens[2])
            return "\(tokens[0]) \(position) (\(tokens[3]))"
        }
        for (prefix, suffix, words) in Self.notePatterns where clause.hasPrefix(prefix) && clause.hasSuffix(suffix) {
            let inner = String(clause.dropFirst(prefix.count).dropLast(suffix.count))
            var arguments = words.argumentIsWord ? [word(inner)] : inner.components(separatedBy: " on ")
            var out = ""
            var template = Substring(pick(words.text))
            while let range = template.range(of: "{}") {
                out += template[..<range.lowerBound]
                out += arguments.isEmpty ? "" : arguments.removeFirst()
                template = template[range.upperBound...]
            }
            return out + template + (arguments.isEmpty ? "" : " " + arguments.joined(separator: " "))
        }
        return clause
    }

    /// The outcome of evidence.jsonl's `outcome_*` numbers (0 dibao, 1 low income, 2 ineligible).
    public func outcome(_ value: Int64?) -> String {
        switch value {
        case 0: pick(("低保", "dibao"))
        case 1: pick(("低收入", "low income"))
        case 2: pick(("不符合条件", "ineligible"))
        default: pick(("—", "—"))
        }
    }

    private func pick(_ pair: (String, String)) -> String { language == .zh ? pair.0 : pair.1 }

    // MARK: - The text

    static let texts: [Key: (String, String)] = [
        .flaggedListTitle: ("核对预警名单", "Flagged households"),
        .verificationReportTitle: ("家庭经济状况核对报告", "Household economic-status verification report"),
        .summaryTitle: ("核对结果汇总", "Verification summary"),
        .publicNoticeTitle: ("低保及低收入家庭公示名单", "Public notice: dibao and low-income households"),
        .publicNoticeIntro: (
            "以下家庭经核对符合条件，现予公示。如有异议，请于公示期内向乡镇（街道）反映。",
            "The households below were verified as eligible. Objections may be raised with the township office during the notice period."
        ),
        .publicNoticeFooter: ("姓名、身份证号已按规定脱敏。", "Names and ID numbers are masked as the rules require."),
        .flaggedSheet: ("预警名单", "Flagged"),
        .publicNoticeSheet: ("公示名单", "Public notice"),
        .colPriority: ("优先级", "Priority"),
        .colFlag: ("处理建议", "Flag"),
        .colUnit: ("核对对象编号", "Unit"),
        .colHousehold: ("户编号", "Household"),
        .colRegionCode: ("区划代码", "Region code"),
        .colRegionName: ("区划名称", "Region"),
        .colAreaType: ("城乡类别", "Area"),
        .colApplicant: ("申请人", "Applicant"),
        .colStatus: ("核对结论", "Status"),
        .colReasons: ("原因", "Reasons"),
        .colReasonCodes: ("原因代码", "Reason codes"),
        .colMembers: ("家庭人口", "Members"),
        .colMonthlyIncome: ("家庭月收入（元）", "Monthly income (yuan)"),
        .colFinancialAssets: ("金融资产（元）", "Financial assets (yuan)"),
        .colVehicles: ("车辆（辆）", "Vehicles"),
        .colHomes: ("住房（套）", "Homes"),
        .colHousingArea: ("住房面积（㎡）", "Housing area (m²)"),
        .colStandard: ("低保标准（元/人·月）", "Standard (yuan/person/month)"),
        .colSuggestedBenefit: ("建议月保障金（元）", "Suggested benefit (yuan/month)"),
        .colAddress: ("家庭住址", "Address"),
        .colSerial: ("序号", "No."),
        .colMaskedName: ("户主姓名", "Applicant"),
        .colMaskedID: ("身份证号", "ID number"),
        .colHouseholdSize: ("保障人口", "Household size"),
        .colLevel: ("保障类别", "Level"),
        .memberName: ("姓名", "Name"),
        .memberID: ("身份证号", "ID number"),
        .memberRelation: ("与申请人关系", "Relation"),
        .memberDisability: ("残疾等级", "Disability grade"),
        .memberEmployment: ("就业状况", "Employment"),
        .memberDeclared: ("申报月收入（元）", "Declared monthly income (yuan)"),
        .memberVerified: ("核实月收入（元）", "Verified monthly income (yuan)"),
        .memberRigidExpense: ("年刚性支出（元）", "Rigid expenses a year (yuan)"),
        .memberIndex: ("序号", "No."),
        .sectionHousehold: ("家庭基本情况", "Household"),
        .sectionMembers: ("家庭成员", "Members"),
        .sectionConclusion: ("核对结论", "Conclusion"),
        .sectionIncome: ("申报收入与核实收入", "Declared and verified income"),
        .sectionReasons: ("核对发现", "Findings"),
        .sectionEvidence: ("核对依据", "Evidence"),
        .applicationType: ("申请类别", "Application"),
        .currentStatus: ("现享受待遇", "Receives today"),
        .address: ("家庭住址", "Address"),
        .asOfDate: ("核对基准日", "As of"),
        .runID: ("批次号", "Run"),
        .incomeWindow: ("收入核对期间", "Income window"),
        .unitID: ("核对对象编号", "Unit"),
        .region: ("所属区划", "Region"),
        .areaType: ("城乡类别", "Area"),
        .conclusionStatus: ("核对结论", "Status"),
        .conclusionFlag: ("处理建议", "Recommendation"),
        .conclusionBenefit: ("建议月保障金", "Suggested monthly benefit"),
        .noReasons: ("未发现超标事项。", "No threshold was crossed."),
        .levelChangeOnly: (
            "核对结果的保障类别与申请或现享受类别不同，请按核对结果调整。",
            "The verified level differs from the level applied for or received today; adjust it."
        ),
        .declaredTotal: ("申报月收入合计", "Declared monthly income, total"),
        .verifiedTotal: ("核实月收入合计", "Verified monthly income, total"),
        .declaredVsVerified: ("申报与核实对比", "Declared vs verified"),
        .evSource: ("来源", "Source"),
        .evFile: ("文件", "File"),
        .evPosition: ("位置", "Position"),
        .evLabel: ("账户 / 车牌 / 证书", "Account / plate / certificate"),
        .evDate: ("日期", "Date"),
        .evAmount: ("金额（元）", "Amount (yuan)"),
        .evCounted: ("是否计入", "Counted"),
        .evMember: ("成员", "Member"),
        .evProbable: ("匹配", "Match"),
        .counted: ("计入", "counted"),
        .notCounted: ("不计入", "not counted"),
        .probableYes: ("疑似", "probable"),
        .holderAsGiven: ("数据提供方登记", "As the provider gave it"),
        .rosterAsGiven: ("花名册登记", "As on the roster"),
        .membersConcerned: ("涉及成员", "Members concerned"),
        .note: ("说明", "Note"),
        .lineN: ("第 {} 行", "line {}"),
        .recordN: ("第 {} 条记录", "record {}"),
        .totalLine: ("合计", "Totals"),
        .perCapitaLine: ("人均", "Per person"),
        .otherFigures: ("其他数据", "Other figures"),
        .noHouseholdsFile: (
            "本批次输出中没有 households.jsonl，无法显示家庭成员姓名、身份证号和住址，也无法生成公示名单。",
            "The run has no households.jsonl: member names, ID numbers and addresses cannot be shown and no public notice is written."
        ),
        .unknownMember: ("成员 {}", "member {}"),
        .pageOf: ("第 {} 户", "Household {}"),
        .generatedBy: ("由 hedui 核对系统生成", "Generated by hedui"),
        .yuan: ("元", "yuan"),
        .persons: ("人", "persons"),
        .householdsUnit: ("户", "households"),
        .vehiclesUnit: ("辆", "vehicles"),
        .homesUnit: ("套", "homes"),
        .squareMetres: ("㎡", "m²"),
        .outcomeCertain: ("仅按确定匹配的核对结果", "Outcome on certain matches"),
        .outcomeWithProbable: ("计入疑似匹配后的核对结果", "Outcome with probable matches"),
        .standardPerPerson: ("低保标准", "dibao standard"),
        .lowIncomeLine: ("低收入标准", "low-income line"),
        .summaryRun: ("批次信息", "Run"),
        .summaryUnitsByStatus: ("各区核对结论", "Units by region and status"),
        .summaryFlagsByRegion: ("各区预警", "Flags by region"),
        .summaryReasons: ("核对原因统计", "Reasons"),
        .summaryQuarantine: ("隔离记录（按文件）", "Quarantine by file"),
        .summaryFiles: ("输入文件", "Input files"),
        .summaryTotal: ("合计", "Total"),
        .summaryRegionFiles: ("各区报告文件", "Reports per region"),
        .quarantineNone: ("没有被隔离的记录。", "No record was quarantined."),
        .summaryChanges: ("与上次核对相比（动态监测）", "Since the previous run (dynamic monitoring)"),
        .changesNone: (
            "与上次核对相比没有变化（或没有可比较的上次核对）。",
            "Nothing changed since the previous run (or there is no earlier run to compare with)."
        ),
        .changesNewlyIneligible: ("新增不符合条件", "Newly ineligible"),
        .changesNewlyEligible: ("新增符合条件", "Newly eligible"),
        .changesLevelChanged: ("保障类别变化", "Level changed"),
        .changesSince: ("比较的上次核对批次", "Compared with run"),
        .previousStatus: ("上次核对结论", "Previous status"),
        .statusNow: ("本次核对结论", "Status now"),
        .fileName: ("文件名", "File"),
        .fileKind: ("类别", "Kind"),
        .recordsRead: ("读取", "Read"),
        .accepted: ("接收", "Accepted"),
        .quarantined: ("隔离", "Quarantined"),
        .duplicate: ("重复", "Duplicate"),
        .unrelated: ("无关", "Unrelated"),
        .rejected: ("整体拒收", "Rejected"),
        .quarantineLocation: ("位置", "Location"),
        .quarantineField: ("字段", "Field"),
        .quarantineCode: ("错误代码", "Code"),
        .quarantineMessage: ("说明", "Message"),
        .yes: ("是", "yes"),
        .no: ("否", "no"),
        .flaggedListLink: ("预警名单", "Flagged list"),
        .verificationLink: ("核对报告", "Verification reports"),
        .publicNoticeLink: ("公示名单", "Public notice"),
        .summaryEngine: ("系统版本", "Engine"),
        .count: ("数量", "Count"),
        .reason: ("原因", "Reason"),
        .allRegions: ("全部区划", "All regions"),
        .linksCSV: ("CSV", "CSV"),
        .none: ("无", "none"),
        .empty: ("—", "—"),
        .worksheetTitle: ("复核抽查工作表", "Spot-check recheck worksheet"),
        .worksheetIntro: (
            "请入户逐项核实，填写核实日期、结论（confirmed 属实 / discrepancy 不符）、不符时的更正结论和说明，交回后导入系统。",
            "Visit the household, verify each item, and fill in the date, the outcome (confirmed / discrepancy), the corrected status when it differs, and a note; the filled sheet is imported back."
        ),
        .worksheetInspector: ("检查人员", "Inspector"),
        .worksheetUnits: ("抽查户数", "Units assigned"),
        .worksheetChecklist: ("核实事项", "What to verify"),
        .worksheetFindings: ("核实结果（检查人员填写）", "Findings (filled in by the inspector)"),
        .worksheetDate: ("核实日期", "Date"),
        .worksheetOutcome: ("结论", "Outcome"),
        .worksheetOutcomeChoices: ("□ 属实 confirmed　□ 不符 discrepancy", "□ confirmed　□ discrepancy"),
        .worksheetCorrectedStatus: ("更正结论", "Corrected status"),
        .worksheetStatusChoices: (
            "□ 符合低保 eligible_dibao　□ 符合低收入 eligible_low_income　□ 不符合 ineligible　□ 需人工复核 needs_review",
            "□ eligible_dibao　□ eligible_low_income　□ ineligible　□ needs_review"
        ),
        .worksheetNote: ("说明", "Note"),
        .worksheetSignature: ("检查人员签字", "Inspector's signature"),
        .worksheetReasons: ("核对原因", "Reasons"),
        .worksheetNoHousehold: ("（无家庭信息：households.jsonl 中没有该户）", "(no household details: the unit is not in households.jsonl)"),
        .checkVehicle: ("核实车辆 {} 是否仍在使用", "Check whether vehicle {} is still in use"),
        .checkAssets: ("核实存款余额（{}）", "Check the balance of account {}"),
        .checkIncome: ("核实收入来源（{}）", "Check the income source ({})"),
        .checkProperty: ("核实房产 {}", "Check the property {}"),
        .checkNonResidential: ("核实非住宅房产 {}", "Check the non-residential property {}"),
        .checkDuplicate: ("核实是否在其他家庭重复享受", "Check whether a member also receives assistance in another household"),
        .checkProbable: ("核实疑似匹配记录的持有人（{}）", "Check who holds the probably matched record ({})"),
        .checkDeclaredIncome: ("核实申报收入", "Check the declared income"),
        .checkGeneral: ("核实家庭成员、收入和财产是否与申请一致", "Check that the members, income and property are as applied for"),
        .checkMemberIdentity: ("核实家庭成员身份证件", "Check the members' identity documents"),
        .checkSeparateHousehold: ("核实单独立户条件", "Check the conditions for a separate household"),
        .checkRejectedRecord: ("核实被退回的数据记录", "Check the records the data check refused"),
    ]

    static let reasons: [AssessmentReason: (title: (String, String), explanation: (String, String))] = [
        .incomeOverLowIncome: (
            ("家庭月收入超过低收入标准", "Monthly income above the low-income line"),
            (
                "家庭人均月收入高于低收入家庭认定标准，不符合低保和低收入家庭条件。",
                "Income per person is above the low-income line: neither dibao nor low-income support applies."
            )
        ),
        .assetsOverLowIncomeLimit: (
            ("金融资产超过低收入家庭限额", "Financial assets above the low-income limit"),
            (
                "家庭人均金融资产（存款、理财等）超过低收入家庭限额。",
                "Financial assets (deposits, wealth products) per person exceed the low-income limit."
            )
        ),
        .vehicleOwned: (
            ("拥有机动车辆", "Owns a vehicle"),
            (
                "家庭成员名下有计入的机动车辆（摩托车、残疾人专用车、农用车除外）。",
                "A member owns a counted motor vehicle (motorcycles, disability and agricultural vehicles are exempt)."
            )
        ),
        .propertyOverLimit: (
            ("住房超过规定套数", "More homes than allowed"),
            ("家庭成员名下住房套数超过规定。", "The members own more residential properties than allowed.")
        ),
        .nonResidentialProperty: (
            ("拥有非住宅房产", "Owns non-residential property"),
            ("家庭成员名下有商铺、办公或工业用房。", "A member owns commercial, office or industrial property.")
        ),
        .housingAreaOverLimit: (
            ("人均住房面积超标", "Housing area above the limit"),
            ("家庭人均住房建筑面积超过规定上限。", "Housing floor area per person exceeds the limit.")
        ),
        .incomeOverDibao: (
            ("家庭月收入达到或超过低保标准", "Monthly income at or above the dibao standard"),
            (
                "家庭人均月收入不低于低保标准，可按低收入家庭认定，但不符合低保条件。",
                "Income per person is at or above the dibao standard: low-income support at most."
            )
        ),
        .assetsOverDibaoLimit: (
            ("金融资产超过低保限额", "Financial assets above the dibao limit"),
            (
                "家庭人均金融资产超过低保限额，可按低收入家庭认定。",
                "Financial assets per person exceed the dibao limit: low-income support at most."
            )
        ),
        .probableMatch: (
            ("疑似匹配记录影响核对结果", "Probable matches change the outcome"),
            (
                "有姓名或身份证号与家庭成员不完全一致的记录，计入后核对结果会改变。请核实该记录是否属于本人。",
                "Records whose name or ID differs slightly from a member's would change the outcome. Check whether they belong to the member."
            )
        ),
        .duplicateMembership: (
            ("重复享受（成员在其他家庭中出现）", "Member listed in another household"),
            (
                "该成员的身份证号在花名册的其他家庭或本家庭中重复出现，请核实是否重复享受。",
                "The member's ID number appears in another household of the roster, or twice in this one."
            )
        ),
        .memberIDInvalid: (
            ("成员身份证号无效", "Member's ID number is invalid"),
            (
                "花名册中该成员的身份证号校验不通过，无法比对各部门数据。请核对证件后更正。",
                "The member's ID number on the roster is invalid, so no record could be matched. Check the ID card and correct it."
            )
        ),
        .separateHouseholdInvalid: (
            ("单独立户条件不符", "Separate household not allowed"),
            (
                "该成员申请单独立户，但不满足条件（年满18周岁、一级或二级残疾、无业），已并入家庭核对。",
                "The member applied as a separate household but does not qualify (18 or older, disability grade 1 or 2, no work); assessed with the household."
            )
        ),
        .sourceMissingBank: (
            ("缺少银行数据", "No bank data"),
            ("本批次没有可用的银行数据文件，存款情况未核实。", "No accepted bank file in this run: deposits are not verified.")
        ),
        .sourceMissingTax: (
            ("缺少税务数据", "No tax data"),
            ("本批次没有可用的税务数据文件，收入情况未核实。", "No accepted tax file in this run: incomes are not verified.")
        ),
        .sourceMissingVehicle: (
            ("缺少车辆数据", "No vehicle data"),
            ("本批次没有可用的车辆登记数据文件，车辆情况未核实。", "No accepted vehicle file in this run: vehicles are not verified.")
        ),
        .sourceMissingProperty: (
            ("缺少不动产数据", "No property data"),
            ("本批次没有可用的不动产登记数据文件，房产情况未核实。", "No accepted property file in this run: properties are not verified.")
        ),
        .sourceIncompleteBank: (
            ("银行数据不完整", "Bank data incomplete"),
            ("有银行数据文件被整体拒收，存款情况可能不完整。", "A bank file was rejected whole: deposits may be incomplete.")
        ),
        .sourceIncompleteTax: (
            ("税务数据不完整", "Tax data incomplete"),
            ("有税务数据文件被整体拒收，收入情况可能不完整。", "A tax file was rejected whole: incomes may be incomplete.")
        ),
        .sourceIncompleteVehicle: (
            ("车辆数据不完整", "Vehicle data incomplete"),
            ("有车辆数据文件被整体拒收，车辆情况可能不完整。", "A vehicle file was rejected whole: vehicles may be incomplete.")
        ),
        .sourceIncompleteProperty: (
            ("不动产数据不完整", "Property data incomplete"),
            ("有不动产数据文件被整体拒收，房产情况可能不完整。", "A property file was rejected whole: properties may be incomplete.")
        ),
        .recordRejected: (
            ("成员有被隔离的数据记录", "A record of a member was refused"),
            (
                "有一条涉及本家庭成员的数据记录因格式错误被隔离，未参与核对。请向数据提供方核实。",
                "A record carrying a member's ID was quarantined for a format error and not assessed. Ask the provider."
            )
        ),
        .policyMissing: (
            ("缺少当地政策参数", "No policy for the region"),
            (
                "该区划在核对基准日没有生效的低保标准，无法判定。请政策管理员补充参数。",
                "No dibao standard is in force for the region on the as-of date. Ask the policy staff to add it."
            )
        ),
        .declaredIncomeUnderstated: (
            ("申报收入明显低于核实收入", "Declared income well below verified income"),
            (
                "家庭申报的月收入明显低于核实到的收入（仅供参考，不影响结论）。",
                "The declared monthly income is well below the verified income (for information; no effect on the status)."
            )
        ),
        .probableMatchNoEffect: (
            ("有疑似匹配记录（不影响结论）", "Probable matches without effect"),
            (
                "有姓名或身份证号与成员不完全一致的记录，计入后核对结果不变（仅供参考）。",
                "Records whose name or ID differs slightly from a member's exist but do not change the outcome (for information)."
            )
        ),
    ]

    static let statuses: [AssessmentStatus: (String, String)] = [
        .eligibleDibao: ("符合低保条件", "eligible for dibao"),
        .eligibleLowIncome: ("符合低收入家庭条件", "eligible as low-income"),
        .ineligible: ("不符合条件", "ineligible"),
        .needsReview: ("需人工复核", "needs review"),
    ]

    static let flags: [ReliefFlag: (String, String)] = [
        .exitRecommended: ("建议退出", "exit recommended"),
        .rejectRecommended: ("建议不予批准", "reject recommended"),
        .review: ("需复核", "review"),
        .levelChange: ("建议调整类别", "level change"),
    ]

    static let figures: [String: (String, String)] = [
        "monthly_income": ("家庭月收入", "monthly income"),
        "gross_monthly_income": ("家庭月总收入", "gross monthly income"),
        "rigid_expense_deduction": ("刚性支出扣减", "rigid-expense deduction"),
        "threshold_standard_x_n": ("低保标准 × 人数", "dibao standard × members"),
        "threshold_low_income_line_x_n": ("低收入标准 × 人数", "low-income line × members"),
        "financial_assets": ("金融资产", "financial assets"),
        "threshold_assets_dibao": ("低保金融资产限额", "dibao assets limit"),
        "threshold_assets_low_income": ("低收入金融资产限额", "low-income assets limit"),
        "vehicles": ("计入车辆", "counted vehicles"),
        "homes": ("住房套数", "homes"),
        "max_homes": ("允许住房套数", "homes allowed"),
        "housing_area": ("住房面积", "housing area"),
        "threshold_housing_area": ("住房面积上限", "housing area limit"),
        "non_residential": ("非住宅房产", "non-residential properties"),
        "declared_monthly_income": ("申报月收入", "declared monthly income"),
        "verified_monthly_income": ("核实月收入", "verified monthly income"),
        "outcome_certain": ("仅按确定匹配的结果", "outcome on certain matches"),
        "outcome_with_probable": ("计入疑似匹配后的结果", "outcome with probable matches"),
        "monthly_income_with_probable": ("计入疑似匹配后的家庭月收入", "monthly income with probable matches"),
        "financial_assets_with_probable": ("计入疑似匹配后的金融资产", "financial assets with probable matches"),
        // Per-person forms (the report divides totals by n)
        "per_capita_monthly_income": ("月人均收入", "monthly income per person"),
        "per_capita_financial_assets": ("人均金融资产", "financial assets per person"),
        "per_capita_housing_area": ("人均住房面积", "housing area per person"),
        "per_capita_threshold_assets_dibao": ("人均低保金融资产限额", "dibao assets limit per person"),
        "per_capita_threshold_assets_low_income": ("人均低收入金融资产限额", "low-income assets limit per person"),
        "per_capita_threshold_housing_area": ("人均住房面积上限", "housing area limit per person"),
        "standard": ("低保标准", "dibao standard"),
        "low_income_line": ("低收入标准", "low-income line"),
        "allowed_vehicles": ("允许车辆", "vehicles allowed"),
        "allowed_non_residential": ("允许非住宅房产", "non-residential allowed"),
    ]

    /// Code words of the roster and of the run's files (sources, relations, area types, ...).
    static let words: [String: (String, String)] = [
        "bank": ("银行", "bank"), "tax": ("税务", "tax"), "vehicle": ("车辆", "vehicle"),
        "property": ("不动产", "property"), "roster": ("花名册", "roster"), "inspectors": ("核查人员", "inspectors"),
        "urban": ("城市", "urban"), "rural": ("农村", "rural"),
        "dibao": ("低保", "dibao"), "low_income": ("低收入家庭", "low income"), "recheck": ("在保复核", "recheck"),
        "none": ("无", "none"),
        "self": ("本人", "self"), "spouse": ("配偶", "spouse"), "child": ("子女", "child"), "parent": ("父母", "parent"),
        "sibling": ("兄弟姐妹", "sibling"), "grandparent": ("祖父母/外祖父母", "grandparent"),
        "grandchild": ("孙子女/外孙子女", "grandchild"), "other": ("其他", "other"),
        "employed": ("就业", "employed"), "unemployed": ("失业", "unemployed"), "student": ("在校学生", "student"),
        "retired": ("退休", "retired"),
    ]

    /// Code words inside evidence labels (account, income, vehicle and property types and statuses).
    static let labelWords: [String: (String, String)] = [
        "demand": ("活期", "demand"), "time": ("定期", "time"), "wealth": ("理财", "wealth"), "other": ("其他", "other"),
        "wage": ("工资薪金", "wage"), "labor": ("劳务报酬", "labor"), "business": ("经营所得", "business"),
        "interest": ("利息", "interest"), "property": ("财产租赁", "property"), "pension": ("养老金", "pension"),
        "car": ("小型汽车", "car"), "truck": ("货车", "truck"), "motorcycle": ("摩托车", "motorcycle"),
        "disability": ("残疾人专用车", "disability"), "agricultural": ("农用车", "agricultural"),
        "normal": ("正常", "normal"), "scrapped": ("报废", "scrapped"), "cancelled": ("注销", "cancelled"),
        "stolen": ("被盗抢", "stolen"), "seized": ("查封", "seized"),
        "residential": ("住宅", "residential"), "commercial": ("商业", "commercial"), "office": ("办公", "office"),
        "industrial": ("工业", "industrial"), "parking": ("车位", "parking"), "land": ("土地", "land"),
        "valid": ("有效", "valid"), "mortgaged": ("抵押", "mortgaged"), "sealed": ("查封", "sealed"),
    ]

    /// Engine notes: prefix, suffix, and the wording with `{}` for what lies between.
    static let notePatterns: [(String, String, (text: (String, String), argumentIsWord: Bool))] = [
        ("underAge(", ")", (("未满18周岁（{}岁）", "under 18 (age {})"), false)),
        ("disabilityGrade(", ")", (("残疾等级为{}级，须为一级或二级", "disability grade {}, must be 1 or 2"), false)),
        ("employment(", ")", (("就业状况为“{}”，须为失业或无业", "employment '{}', must be unemployed or none"), true)),
        ("invalidID", "", (("身份证号无效{}", "invalid ID number{}"), false)),
        ("duplicateID", "", (("同一身份证号在本户重复{}", "the ID is twice in the household{}"), false)),
        ("also in ", "", (("也在以下家庭中：{}", "also in {}"), false)),
        ("check character wrong", "", (("校验位错误{}", "check character wrong{}"), false)),
        ("no standard for region ", "", (("区划 {} 在 {} 无生效的低保标准", "no standard for region {} on {}"), false)),
        ("no accepted ", " file in the inbox", (("没有可用的{}数据文件", "no accepted {} file in the inbox"), true)),
        ("rejected: ", "", (("被整体拒收的文件：{}", "rejected: {}"), false)),
    ]
}
