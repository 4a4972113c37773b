/// The masking of the public-notice list (outputs.md, "Privacy").
///
/// Names: the surname stays and every other character becomes `*`: `张三` → `张*`, `王小明` → `王**`,
/// `欧阳娜娜` → `欧阳**` (outputs.md's example: a compound surname of the fixed list `compoundSurnames` counts as
/// the "first character" when the name has 3 or more characters). Minority names (`买买提·艾力`): the first
/// character stays, every other character becomes `*`, and the middle dot stays as a separator (`买**·**`):
/// it is not a character of the name, and the reader recognizes a transliterated name. ID numbers: the first 6
/// and the last 4 characters stay (`330902********1234`). See docs/reports.md.
public enum Masking {
    /// Separators of minority names that stay visible.
    static let nameSeparators: Set<Character> = ["·", "•", "．", "・", "."]

    /// Two-character surnames (复姓) kept whole, as outputs.md's `欧阳**` shows.
    static let compoundSurnames: Set<String> = [
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
        "轩辕", "令狐", "端木", "澹台", "独孤", "南宫", "呼延", "万俟", "闻人", "申屠", "西门", "百里", "钟离",
    ]

    /// The public-notice form of a name: first character, then `*` for each other character; separators stay.
    ///
    /// Surrounding spaces are dropped; an empty name stays empty.
    public static func name(_ name: String) -> String {
        let letters = Array(name.filter { !$0.isWhitespace })
        guard let first = letters.first else { return "" }
        var kept = 1
        if letters.count >= 3, compoundSurnames.contains(String(letters[0...1])) { kept = 2 }
        var out = kept == 2 ? String(letters[0...1]) : String(first)
        for character in letters.dropFirst(kept) {
            out.append(nameSeparators.contains(character) ? "·" : "*")
        }
        return out
    }

    /// The public-notice form of an ID number: the first 6 and last 4 characters, `*` between.
    ///
    /// A number of 10 characters or fewer (not a valid ID) is masked whole, so nothing of it shows.
    public static func idNumber(_ id: String) -> String {
        let characters = Array(id.filter { !$0.isWhitespace })
        guard characters.count > 10 else { return String(repeating: "*", count: characters.count) }
        return String(characters.prefix(6)) + String(repeating: "*", count: characters.count - 10)
            + String(characters.suffix(4))
    }

    /// An account number shown by its last 4 characters only (`…1234`).
    public static func account(_ account: String) -> String {
        let characters = Array(account.filter { !$0.isWhitespace })
        return "…" + String(characters.suffix(4))
    }
}
