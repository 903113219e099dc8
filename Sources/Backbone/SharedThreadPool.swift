import CXNNPACK
import Platform

/// The one pthreadpool of the per-frame path (pthreadpool_create, Debian's libpthreadpool): XNNPACK
/// runs the backbone's operators on it, and the other stages (preprocessing rows, scoring
/// positions, the anomaly map) run their loops on it through `ParallelLoop`, so a frame never has
/// two sets of worker threads competing for the same cores.
///
/// Not Sendable: pthreadpool serialises parallelize calls itself, but one inference thread owns the
/// pool with its backbone; the workers only ever see the body of the loop that is running.
public final class SharedThreadPool: ParallelLoop {
    public let threads: Int
    /// nil with one thread: pthreadpool then runs every item on the caller's thread, and so do we.
    let handle: pthreadpool_t?

    public init(threads: Int) {
        self.threads = max(1, threads)
        handle = self.threads > 1 ? pthreadpool_create(self.threads) : nil
    }

    deinit {
        if let handle { pthreadpool_destroy(handle) }
    }

    /// One pthreadpool_parallelize_1d call: the C callback gets a pointer to the body's existential
    /// on this stack frame (inline: `run(_:_:)` makes every body one pointer), so nothing is allocated.
    public func perform(_ count: Int, _ body: any ParallelBody) {
        guard let handle, count > 1 else {
            for i in 0..<count { body.run(i) }
            return
        }
        var target = body
        withUnsafeMutablePointer(to: &target) { pointer in
            pthreadpool_parallelize_1d(handle, { context, index in
                context!.assumingMemoryBound(to: (any ParallelBody).self).pointee.run(Int(index))
            }, pointer, count, 0)
        }
    }
}
