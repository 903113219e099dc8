import Backbone
import Platform
import Testing

@Suite struct SharedThreadPoolTests {
    /// Each index adds to its own slot only, so a lost or repeated index shows as a slot != 1.
    struct Mark: ParallelBody {
        let slots: UnsafeMutablePointer<Int>
        let padding: (Int, Int, Int, Int)   // bigger than an existential's inline buffer: run() must box it by pointer
        func run(_ index: Int) { slots[index * 8] += 1 + padding.0 }
    }

    @Test func everyIndexRunsExactlyOnceOnTwoThreads() {
        let pool = SharedThreadPool(threads: 2)
        #expect(pool.threads == 2 && pool.chunksPerStage == 8)
        for count in [1, 2, 7, 64, 1000] {
            var slots = [Int](repeating: 0, count: count * 8)
            for _ in 0..<3 {
                slots.withUnsafeMutableBufferPointer { pool.run(count, Mark(slots: $0.baseAddress!, padding: (0, 0, 0, 0))) }
            }
            #expect(stride(from: 0, to: count * 8, by: 8).allSatisfy { slots[$0] == 3 }, "count \(count)")
        }
    }

    @Test func theBackboneSharesItsPoolWithTheOtherStages() throws {
        let backbone = try Int8Backbone(weights: try EmbeddedBackbone.load(), threads: 2)
        #expect(backbone.pool.threads == 2)
        let single = try Int8Backbone(weights: try EmbeddedBackbone.load(), threads: 1)
        #expect(single.pool.threads == 1 && single.pool.chunksPerStage == 1)
    }
}
