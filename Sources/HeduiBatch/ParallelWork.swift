import Dispatch
import Synchronization

/// Runs `body` for every index on `threads` Dispatch workers and returns the results in index order.
///
/// Workers take indices in the order given by `schedule` (e.g. largest file first) from one
/// atomic counter; each result goes to its own pre-sized slot, so no lock is taken and the
/// output does not depend on which worker ran what.
func parallelMap<T: Sendable>(count: Int, threads: Int, schedule: [Int]? = nil, _ body: @Sendable (Int) -> T) -> [T] {
    guard count > 0 else { return [] }
    let order = schedule ?? Array(0..<count)
    let slots = ResultSlots<T>(count: count)
    let next = Atomic<Int>(0)
    let workers = max(1, min(threads, count))
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while true {
            let k = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard k < count else { return }
            let index = order[k]
            slots.store(body(index), at: index)
        }
    }
    return slots.collect()
}

/// Pre-sized result slots written by parallel workers.
///
/// `@unchecked Sendable`: every slot is written by exactly one worker (each index is handed out
/// once by an atomic counter), and read only after `concurrentPerform` has returned, which
/// orders all writes before the reads.
final class ResultSlots<T>: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<T?>

    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }

    deinit {
        storage.deinitialize()
        storage.deallocate()
    }

    func store(_ value: T, at index: Int) { storage[index] = value }

    func collect() -> [T] { storage.map { $0! } }
}

/// Runs `body` for every index in `0..<count` on `threads` Dispatch workers and hands each
/// result to `consume` in index order, while the other workers go on computing: whichever worker
/// finds the next result ready writes it (and any that follow). `consume` is never called
/// twice at once, so it may write files; results wait in memory only until those before them
/// are done, so memory stays at a few chunks however large `count` is.
func parallelOrdered<R: Sendable>(count: Int, threads: Int, _ body: @Sendable (Int) -> R, consume: @Sendable (R) -> Void) {
    guard count > 0 else { return }
    let state = Mutex(OrderedResults<R>())
    let next = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: max(1, min(threads, count))) { _ in
        while true {
            let k = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard k < count else { return }
            let result = body(k)
            // Deposit the result; become the consumer unless another worker is one.
            var mustConsume = state.withLock { s in
                s.ready[k] = result
                if s.consuming { return false }
                s.consuming = true
                return true
            }
            while mustConsume {
                let batch: [R] = state.withLock { s in
                    var batch: [R] = []
                    while let r = s.ready.removeValue(forKey: s.nextToConsume) {
                        batch.append(r)
                        s.nextToConsume += 1
                    }
                    if batch.isEmpty { s.consuming = false }
                    return batch
                }
                if batch.isEmpty {
                    mustConsume = false
                } else {
                    for r in batch { consume(r) }
                }
            }
        }
    }
}

/// `parallelOrdered`'s shared state: results waiting for those before them.
private struct OrderedResults<R> {
    var ready: [Int: R] = [:]
    var nextToConsume = 0
    var consuming = false
}

/// Work started on another thread now, its result collected later with `wait()`: the run reads
/// the sources this way while the roster is read and built on the calling thread.
final class BackgroundWork<T: Sendable>: Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private let result = Mutex<T?>(nil)

    init(_ body: @escaping @Sendable () -> T) {
        DispatchQueue.global().async { [self] in
            let value = body()
            result.withLock { $0 = value }
            finished.signal()
        }
    }

    /// Waits for the work (once) and returns its result.
    func wait() -> T {
        finished.wait()
        return result.withLock { $0! }
    }
}

/// A value handed to one worker: `take()` returns it once and keeps nothing.
final class Handover<T: Sendable>: Sendable {
    private let value: Mutex<T?>
    init(_ value: T?) { self.value = Mutex(value) }
    func take() -> T? {
        value.withLock { v in
            defer { v = nil }; return v
        }
    }
}

/// `count` slots of work shared by threads of one run (a counting semaphore), so that work done
/// side by side stays within `--threads`.
final class WorkSlots: Sendable {
    private let semaphore: DispatchSemaphore
    init(_ count: Int) { semaphore = DispatchSemaphore(value: max(1, count)) }
    func acquire(_ n: Int) { for _ in 0..<max(0, n) { semaphore.wait() } }
    func release(_ n: Int) { for _ in 0..<max(0, n) { semaphore.signal() } }
}
