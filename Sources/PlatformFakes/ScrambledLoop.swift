import Platform

/// A `ParallelLoop` for tests: claims `threads` threads (so stages split their work as they would
/// on the pool) but runs the indices on the caller's thread in a scrambled order (last first,
/// then odd, then even), so a test sees whether a stage's result depends on the order of its chunks.
public final class ScrambledLoop: ParallelLoop {
    public let threads: Int
    /// Indices in the order they ran, over every call.
    public private(set) var ran: [Int] = []

    public init(threads: Int) { self.threads = threads }

    public func perform(_ count: Int, _ body: any ParallelBody) {
        guard count > 0 else { return }
        var order = [count - 1]
        order += stride(from: 1, to: count - 1, by: 2)
        order += stride(from: 0, to: count - 1, by: 2)
        for i in order {
            ran.append(i)
            body.run(i)
        }
    }
}
