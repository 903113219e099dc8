import Capture
import Testing

@Suite("Dropped frames from sequence gaps")
struct DroppedFrameCounterTests {
    @Test func gapsAreCountedAsDrops() {
        var counter = DroppedFrameCounter()
        #expect(counter.record(sequence: 10) == 0)
        #expect(counter.record(sequence: 11) == 0)
        #expect(counter.record(sequence: 15) == 3)
        #expect(counter.dropped == 3)
    }

    @Test func sequenceWraparoundIsNotADrop() {
        var counter = DroppedFrameCounter()
        _ = counter.record(sequence: UInt32.max - 1)
        #expect(counter.record(sequence: UInt32.max) == 0)
        #expect(counter.record(sequence: 1) == 1)
        #expect(counter.dropped == 1)
    }

    @Test func backwardJumpAndRestartAreNotDrops() {
        var counter = DroppedFrameCounter()
        _ = counter.record(sequence: 500)
        #expect(counter.record(sequence: 3) == 0)
        counter.streamRestarted()
        #expect(counter.record(sequence: 100) == 0)
        #expect(counter.dropped == 0)
    }
}
