/// Runs a loop body for every index in 0..<count, on the caller's thread or on several threads at
/// once. The per-frame stages (preprocessing rows, scoring positions, the anomaly map's rows) use
/// it so they can share the backbone's pthreadpool (`Backbone.SharedThreadPool`) without knowing
/// about it; pure modules see only this protocol.
///
/// Contract for the body: iterations may run concurrently and in any order, each may write only
/// what its index owns (its rows, its positions, its own scratch slot), and `run` returns after
/// every iteration has finished. Implementations must not allocate per call.
public protocol ParallelLoop: AnyObject {
    /// How many threads take part (1: everything runs on the caller's thread).
    var threads: Int { get }
    /// Calls `body(i)` for every i in 0..<count and returns when all have finished.
    func run(_ count: Int, _ body: (Int) -> Void)
}

extension ParallelLoop {
    /// Splits 0..<total into `chunkCount(total)` contiguous ranges of nearly equal size and runs
    /// `body(chunk, range)` for each: `chunk` is a dense index (0..<chunkCount) for per-chunk scratch.
    public func runChunks(_ total: Int, chunks: Int, _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
        let n = Swift.max(1, Swift.min(chunks, total))
        guard total > 0 else { return }
        run(n) { chunk in
            let lo = chunk * total / n, hi = (chunk + 1) * total / n
            body(chunk, lo..<hi)
        }
    }

    /// The number of chunks a stage splits its work into: a few per thread, so a thread that was
    /// descheduled by another process on a shared machine does not hold up the whole stage.
    public var chunksPerStage: Int { threads == 1 ? 1 : threads * 4 }
}

/// The loop on the caller's thread only: for tools, tests and one-thread configurations.
public final class SerialLoop: ParallelLoop, Sendable {
    public static let shared = SerialLoop()
    public init() {}
    public var threads: Int { 1 }
    public func run(_ count: Int, _ body: (Int) -> Void) {
        for i in 0..<count { body(i) }
    }
}
