import Testing
@testable import Padim
import Platform

@Suite struct ChannelSelectionTests {
    @Test func splitMixMatchesTheReferenceSequence() {
        // Values from tools/padim_reference.py's SplitMix64 with seed 1234.
        var rng = SplitMix64(seed: 1234)
        #expect(rng.next() == 0xbb0c_f61b_2f18_1cdb)
        #expect(rng.next() == 0x97c7_a136_4df0_6524)
    }

    @Test func drawIsSortedDistinctAndReproducible() {
        let a = ChannelSelection.draw(count: 100, from: 176, seed: 1234)
        #expect(a == ChannelSelection.draw(count: 100, from: 176, seed: 1234))
        #expect(a == a.sorted() && Set(a).count == 100 && a.allSatisfy { (0..<176).contains($0) })
        #expect(Array(a.prefix(10)) == [0, 1, 4, 5, 6, 8, 9, 11, 12, 14])
        #expect(a != ChannelSelection.draw(count: 100, from: 176, seed: 1235))
    }
}
