/// Runs a loop body for every index in 0..<count, on the caller's thread or on several threads at
/// once. The per-frame stages (preprocessing rows, scoring positions, the anomaly map's rows) use
/// it so they can share the backbone's pthreadpool (`Backbone.SharedThreadPool`) without knowing
/// about it; pure modules see only this protocol.
///
/// Contract for the body: iterations may run concurrently and in any order, each may write only
/// what its index owns (its rows, its positions, its own scratch slot), and `perform` returns after
/// every iteration has finished.
///
/// Nothing is allocated per call: the body is a value (`ParallelBody`), not a closure. (A closure
/// handed to C needs `withoutActuallyEscaping`, and that allocates a context box on every call:
/// measured with the malloc trace, one allocation per stage per frame.)
public protocol ParallelLoop: AnyObject {
    /// How many threads take part (1: everything runs on the caller's thread).
    var threads: Int { get }
    /// Calls `body.run(i)` for every i in 0..<count and returns when all have finished. Bodies of at
    /// most three words travel inline in the existential; `run(_:_:)` wraps bigger ones in a pointer.
    func perform(_ count: Int, _ body: any ParallelBody)
}

/// The work of one parallel loop: `run(i)` for each index (a chunk of rows, of positions).
public protocol ParallelBody {
    func run(_ index: Int)
}

/// A body of any size behind one pointer, so the existential `perform` takes stores it inline.
private struct IndirectBody<Body: ParallelBody>: ParallelBody {
    let body: UnsafePointer<Body>
    func run(_ index: Int) { body.pointee.run(index) }
}

extension ParallelLoop {
    /// Calls `body.run(i)` for every i in 0..<count (any size of body; nothing allocated).
    public func run<Body: ParallelBody>(_ count: Int, _ body: Body) {
        guard count > 1, threads > 1 else {
            for i in 0..<count { body.run(i) }
            return
        }
        withUnsafePointer(to: body) { perform(count, IndirectBody(body: $0)) }
    }

    /// The number of chunks a stage splits its work into: a few per thread, so a thread that was
    /// descheduled by another process on a shared machine does not hold up the whole stage.
    public var chunksPerStage: Int { threads == 1 ? 1 : threads * 4 }
}

/// Chunk `chunk` of `chunks` nearly equal contiguous ranges of 0..<total.
@inline(__always)
public func chunkRange(_ chunk: Int, of chunks: Int, total: Int) -> Range<Int> {
    (chunk * total / chunks)..<((chunk + 1) * total / chunks)
}

/// The loop on the caller's thread only: for tools, tests and one-thread configurations.
public final class SerialLoop: ParallelLoop, Sendable {
    public static let shared = SerialLoop()
    public init() {}
    public var threads: Int { 1 }
    public func perform(_ count: Int, _ body: any ParallelBody) {
        for i in 0..<count { body.run(i) }
    }
}
