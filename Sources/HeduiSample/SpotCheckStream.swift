import Crypto

/// The random stream of the spot check: SHA-256 in counter mode, documented in `docs/spot-checks.md`
/// so that anyone can re-derive it (`scripts/spotcheck-verify.py` does, with Python's hashlib).
///
/// For a seed and a label (a stratum `"<region>/<status>"`, or `"assign"` for inspectors):
///
///     block_i = SHA-256( UTF-8(seed) ‖ 0x00 ‖ UTF-8(label) ‖ 0x00 ‖ UInt64 big-endian(i) ),  i = 0, 1, 2, …
///
/// The stream is the 64-bit big-endian words of block 0 (bytes 0–7, 8–15, 16–23, 24–31), then of
/// block 1, and so on. No floating point anywhere.
public struct SpotCheckStream: Sendable {
    private let prefix: [UInt8]
    private var counter: UInt64 = 0
    private var words: [UInt64] = []
    private var next = 0

    public init(seed: String, label: String) {
        prefix = Array(seed.utf8) + [0] + Array(label.utf8) + [0]
    }

    /// The next 64-bit word of the stream.
    public mutating func nextWord() -> UInt64 {
        if next == words.count {
            var message = prefix
            for shift in stride(from: 56, through: 0, by: -8) { message.append(UInt8(truncatingIfNeeded: counter >> UInt64(shift))) }
            let digest = Array(SHA256.hash(data: message))
            words = (0..<4).map { w in
                var v: UInt64 = 0
                for b in 0..<8 { v = v << 8 | UInt64(digest[w * 8 + b]) }
                return v
            }
            next = 0
            counter += 1
        }
        defer { next += 1 }
        return words[next]
    }

    /// A uniform integer in `0..<bound` without modulo bias (rejection sampling): reads words until
    /// one is below 2^64 − (2^64 mod bound), then returns it mod bound. Always reads at least one word
    /// (also when bound is 1).
    ///
    /// - Precondition: `bound > 0`.
    public mutating func uniform(below bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        let excess = (0 &- bound) % bound  // 2^64 mod bound
        while true {
            let word = nextWord()
            // word < 2^64 − excess  ⇔  word ≤ UInt64.max − excess
            if word <= UInt64.max - excess { return word % bound }
        }
    }
}
