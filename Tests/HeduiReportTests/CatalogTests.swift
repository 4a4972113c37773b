import HeduiAssess
import Testing

@testable import HeduiReport

@Suite struct CatalogTests {
    /// Every reason code of rules.md has a Chinese and an English title and explanation.
    @Test(arguments: AssessmentReason.allCases)
    func everyReasonHasBothLanguages(_ reason: AssessmentReason) {
        for language in ReportLanguage.allCases {
            let catalog = Catalog(language)
            #expect(!catalog.reasonTitle(reason).isEmpty, "\(reason.rawValue): no \(language) title")
            #expect(!catalog.reasonExplanation(reason).isEmpty, "\(reason.rawValue): no \(language) explanation")
        }
        #expect(Catalog(.zh).reasonTitle(reason) != Catalog(.en).reasonTitle(reason))
        #expect(Catalog(.zh).reasonTitle(reason).unicodeScalars.contains { $0.value >= 0x4E00 }, "zh title is not Chinese")
    }

    /// Every reason code has an evidence rendering: its title, explanation, its comparisons filled from figures,
    /// its note and members and its evidence rows all show.
    @Test(arguments: AssessmentReason.allCases)
    func everyReasonHasAnEvidenceRendering(_ reason: AssessmentReason) throws {
        let run = try RunFolder(path: Support.fixtureRun)
        var figures: [RunFolder.Figure] = []
        for comparison in EvidenceRendering.comparisons(for: reason) {
            for operand in [comparison.lhs, comparison.rhs] {
                switch operand {
                case .figure(let name), .perCapita(let name, _):
                    let unit =
                        ["vehicles", "homes", "max_homes", "non_residential", "outcome_certain", "outcome_with_probable"]
                            .contains(name) ? "count" : name.contains("area") ? "m2e-6" : "fen"
                    if !figures.contains(where: { $0.name == name }) {
                        figures.append(.init(name: name, unit: unit, value: unit == "count" ? 1 : 123_456))
                    }
                default: break
                }
            }
        }
        let record = RunFolder.EvidenceRecord(
            source: "bank", file: 0, position: 7, label: "105 …2700 demand",
            date: "2024-05-31", amount: 332_315, counted: true, probable: false, member: 0)
        let evidence = RunFolder.Reason(
            code: reason.rawValue, figures: figures, members: [0], note: "underAge(17)",
            records: [record])
        let unit = RunFolder.Evidence(
            unitID: "X", status: "ineligible", standard: 113_333, lowIncomeLine: 170_000,
            members: 2, verifiedIncome: [0, 0], declaredIncome: [0, 0], incomeWindow: "",
            outcomeCertain: 0, outcomeWithProbable: 2, reasons: [evidence])
        for language in ReportLanguage.allCases {
            let catalog = Catalog(language)
            let html = EvidenceRendering(catalog: catalog, run: run, evidence: unit, household: nil, members: 2)
                .render(evidence)
            #expect(html.contains(HTML.escape(catalog.reasonTitle(reason))))
            #expect(html.contains(HTML.escape(catalog.reasonExplanation(reason))))
            #expect(html.contains("3,323.15"), "evidence row amount in yuan")
            #expect(html.contains("…2700"))
            #expect(html.contains(language == .zh ? "活期" : "demand"))
            #expect(html.contains(language == .zh ? "未满18周岁" : "under 18"))
            let comparisons = EvidenceRendering.comparisons(for: reason)
            #expect(
                html.components(separatedBy: "class=\"cmp").count - 1 == comparisons.count,
                "\(reason.rawValue): every comparison is shown")
        }
    }

    @Test func everyKeyHasBothLanguages() {
        for key in Catalog.Key.allCases {
            let pair = Catalog.texts[key]
            #expect(pair != nil, "\(key): missing")
            #expect(!(pair?.0.isEmpty ?? true) && !(pair?.1.isEmpty ?? true), "\(key): a language is empty")
        }
    }

    @Test func statusesFlagsAndFiguresHaveBothLanguages() {
        for status in AssessmentStatus.allCases { #expect(Catalog.statuses[status] != nil) }
        for flag in ReliefFlag.allCases { #expect(Catalog.flags[flag] != nil) }
        let used = Set(
            AssessmentReason.allCases.flatMap(EvidenceRendering.comparisons).flatMap { c in
                [c.lhs, c.rhs].compactMap { operand -> [String]? in
                    switch operand {
                    case .figure(let n): [n]
                    case .perCapita(let n, let label): [n, label]
                    case .count(_, let label): [label]
                    default: nil
                    }
                }.flatMap { $0 }
            })
        for name in used { #expect(Catalog.figures[name] != nil, "figure \(name) has no wording") }
        // Every figure name of the fixture's evidence.jsonl has a wording.
        let run = try? RunFolder(path: Support.fixtureRun)
        for e in run?.evidence.values ?? [:].values {
            for r in e.reasons { for f in r.figures { #expect(Catalog.figures[f.name] != nil, "figure \(f.name)") } }
        }
    }

    @Test func notesAreWorded() {
        let zh = Catalog(.zh)
        #expect(zh.note("underAge(17)") == "未满18周岁（17岁）")
        #expect(zh.note("also in DHS23") == "也在以下家庭中：DHS23")
        #expect(zh.note("bank-rcc.csv line 4 BAD_DATE") == "bank-rcc.csv 第 4 行 (BAD_DATE)")
        #expect(zh.note("no standard for region 330921 on 2024-05-31") == "区划 330921 在 2024-05-31 无生效的低保标准")
        #expect(Catalog(.en).note("disabilityGrade(3)") == "disability grade 3, must be 1 or 2")
        #expect(zh.note("something new") == "something new")
    }
}
