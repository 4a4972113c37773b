import HeduiAssess
import HeduiModel

/// `hedui policy check`: the effective parameters per region on a date.
public enum PolicyCheck {
    public static func report(path: String, on day: Day) throws -> String {
        try PolicyTable.load(contentsOf: path).report(on: day)
    }

    public static var today: Day { Day.today }
}

/// "eligible_dibao 120, eligible_low_income 30, ..." in a fixed order.
public enum AssessmentStatusSummary {
    public static func line(_ counts: [AssessmentStatus: Int]) -> String {
        AssessmentStatus.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", ")
    }
}
