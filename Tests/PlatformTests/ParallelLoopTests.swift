import Platform
import Testing

@Suite struct ParallelLoopTests {
    @Test func chunkRangesCoverEveryIndexOnceInOrder() {
        for (total, chunks) in [(56, 8), (224, 8), (392, 8), (3, 8), (0, 4), (10, 1), (1000, 7)] {
            let n = max(1, min(chunks, total))
            let ranges = (0..<n).map { chunkRange($0, of: n, total: total) }
            #expect(ranges.flatMap { Array($0) } == Array(0..<total), "total \(total) chunks \(chunks)")
            if total >= n { #expect(ranges.allSatisfy { !$0.isEmpty }) }
        }
    }

    struct Mark: ParallelBody {
        let slots: UnsafeMutablePointer<Int>
        func run(_ index: Int) { slots[index] += 1 }
    }

    @Test func serialLoopRunsEveryIndexOnce() {
        var slots = [Int](repeating: 0, count: 17)
        slots.withUnsafeMutableBufferPointer { SerialLoop.shared.run(17, Mark(slots: $0.baseAddress!)) }
        #expect(slots == [Int](repeating: 1, count: 17))
        #expect(SerialLoop.shared.chunksPerStage == 1)
    }
}
