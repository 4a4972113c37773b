import Synchronization
import Testing

@testable import HeduiBatch

@Suite("Parallel work: results in index order whatever the thread count")
struct ParallelWorkTests {
    /// Collects what `consume` is given; checks it is never called twice at once.
    final class Collector: Sendable {
        let state = Mutex<(values: [Int], active: Int, overlapped: Bool)>(([], 0, false))
        func consume(_ value: Int) {
            state.withLock { s in
                s.active += 1
                if s.active > 1 { s.overlapped = true }
            }
            // Uneven work between enter and leave makes an overlap likely if consumers could overlap.
            var x = 0
            for i in 0..<(value % 7) * 1000 { x &+= i }
            state.withLock { s in
                s.values.append(value + (x == -1 ? 1 : 0))
                s.active -= 1
            }
        }
    }

    @Test("parallelOrdered hands every result over once, in index order, one at a time", arguments: [1, 2, 3, 8])
    func ordered(threads: Int) {
        let collector = Collector()
        let count = 1000
        parallelOrdered(count: count, threads: threads) { k in
            // Later indices often finish first: uneven work per index.
            var x = 0
            for i in 0..<((count - k) % 13) * 500 { x &+= i }
            return k + (x == -1 ? 1 : 0)
        } consume: { value in
            collector.consume(value)
        }
        let (values, _, overlapped) = collector.state.withLock { $0 }
        #expect(values == Array(0..<count))
        #expect(!overlapped)
    }

    @Test("parallelOrdered with nothing to do calls nothing")
    func empty() {
        let collector = Collector()
        parallelOrdered(count: 0, threads: 2) {
            $0
        } consume: {
            collector.consume($0)
        }
        #expect(collector.state.withLock { $0.values }.isEmpty)
    }
}
