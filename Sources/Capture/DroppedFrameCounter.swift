/// Counts frames the driver skipped from gaps in `v4l2_buffer.sequence` (a 32-bit counter that
/// wraps). A backwards jump (the driver restarted counting) is not a drop.
public struct DroppedFrameCounter: Sendable, Equatable {
    public private(set) var dropped: UInt64 = 0
    private var lastSequence: UInt32?

    public init() {}

    /// Records a delivered frame; returns how many frames were skipped just before it.
    public mutating func record(sequence: UInt32) -> UInt32 {
        defer { lastSequence = sequence }
        guard let last = lastSequence else { return 0 }
        let gap = sequence &- last &- 1
        guard gap < UInt32(1) << 31 else { return 0 }
        dropped += UInt64(gap)
        return gap
    }

    /// Forgets the last sequence: STREAMON restarts the driver's counter at 0.
    public mutating func streamRestarted() {
        lastSequence = nil
    }
}
