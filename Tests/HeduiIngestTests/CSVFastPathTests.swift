import Testing

@testable import HeduiIngest

/// The batch fast path (`hedui_csv_split`) and the general path it hands records to, against the
/// reference splitter, where they meet: events at 64-byte word borders, fields longer than a word,
/// non-ASCII bytes in words without events, records wider than a batch, more fields than a batch
/// holds, and records cut by chunk ends.
@Suite("CSV fast path against the reference")
struct CSVFastPathTests {
    typealias Splitter = CSVSplitterTests

    /// `text` whole, cut in two at every position, and in chunks of `sizes`, plain and checked.
    static func check(_ text: [UInt8], everyCut: Bool = true, sizes: [Int] = [1, 7, 63, 64, 65, 4096]) {
        let expected = Splitter.reference(text)
        var cutsList: [[Int]] = [[]]
        if everyCut { for cut in 0...text.count { cutsList.append([cut]) } }
        for size in sizes where size < text.count { cutsList.append(Array(stride(from: size, to: text.count, by: size))) }
        let utf8 = Splitter.isUTF8(text)
        for cuts in cutsList {
            let (plain, _) = Splitter.split(text, cuts: cuts, validating: false)
            #expect(plain == expected, "text \(String(decoding: text, as: UTF8.self).debugDescription) cuts \(cuts)")
            let (checked, valid) = Splitter.split(text, cuts: cuts, validating: true)
            #expect(valid == utf8)
            if valid { #expect(checked == expected, "checked, cuts \(cuts)") }
            if plain != expected { return }
        }
    }

    @Test("quotes, carriage returns, line feeds and non-ASCII bytes at 64-byte word borders")
    func wordBorders() {
        let snippets: [String] = [
            "1,\"q,x\"\n2,b\n", "1,b\r\n2,c\r\n", "1,张三,c\n2,d\n", "\"x\"\"y\",z\n3,e\n", "\n\n  \n4,f\n", "a,\"\n\",b\n",
            "\"a\" ,b\n\"c\"\n", "x\"y,\"z\"w\n", ",,\n,\n", "张,\"张\",\"¥\"\"\"\n",
            // Plain quoted fields (the fast path takes them), and near misses (the general path).
            "1,\"张三\",\"\"\n\"2\",\"b\"\n", "\"\"\n\"  \"\n\"a\"\n", "\"a\"\r\n\"b\"x,c\n", "\"a\"\"\",\"b,c\"\n",
        ]
        for pad in Array(0..<8) + Array(56..<72) + Array(120..<136) {
            for snippet in snippets {
                // A first record filling `pad` bytes puts the snippet at every offset around a border.
                let lead = "h," + String(repeating: "a", count: pad) + "\n"
                Self.check(Array((lead + snippet + "5,tail,张\n6,end").utf8), sizes: [64])
            }
        }
    }

    @Test("fields longer than a word, non-ASCII only in words without events")
    func longFields() {
        var g = CSVRoundTripTests.Generator(state: 7)
        let pieces: [String] = [
            "", "a", "0", String(repeating: "x", count: 70), String(repeating: "y", count: 130),
            String(repeating: "张", count: 30), "a" + String(repeating: "b", count: 63) + "张" + String(repeating: "c", count: 90),
            String(repeating: "d", count: 128) + "·", "\"" + String(repeating: "q,\n", count: 30) + "\"", "\"a\"\"b\"",
            " \r", "\"张三\"", "\"" + String(repeating: "z", count: 60) + "\"", "\"\"",
        ]
        for _ in 0..<30 {
            var text = ""
            for _ in 0..<(1 + g.below(12)) {
                text += (0..<(1 + g.below(6))).map { _ in pieces[g.below(pieces.count)] }.joined(separator: ",")
                text += g.below(5) == 0 ? "\r\n" : "\n"
            }
            if g.below(3) == 0 { text.removeLast() }
            Self.check(Array(text.utf8), everyCut: text.utf8.count < 1500)
        }
    }

    @Test("more fields than a batch holds: wide records, many records, and both")
    func fullBatches() {
        var g = CSVRoundTripTests.Generator(state: 11)
        // Many short records (batches end because they are full), some quoted, some blank.
        var many = ""
        for i in 0..<3000 {
            switch g.below(40) {
            case 0: many += "\"q\(i)\",x\n"
            case 1: many += "\n"
            case 2: many += "张\(i)\r\n"
            default: many += "\(i),b,c\n"
            }
        }
        Self.check(Array(many.utf8), everyCut: false, sizes: [1000, 4096, 65536])
        // Records of 100 to 3000 fields: wider than a word's events, than a batch, than the spans.
        for width in [100, 2000, 2100, 3000] {
            let wide = (0..<width).map { $0 % 97 == 0 ? "张\($0)" : "\($0)" }.joined(separator: ",")
            let text = "h\n" + wide + "\n1,2\n" + wide + "\n\"q\"," + wide + "\n3"
            Self.check(Array(text.utf8), everyCut: false, sizes: [64, 1000, 4096, 65536])
        }
    }
}
