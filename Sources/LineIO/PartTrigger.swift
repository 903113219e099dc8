import Platform

/// Turns the part-present sensor's edges into capture triggers.
///
/// A part is present on the edge where the line becomes active; edges closer than `holdoffNs` to the
/// last accepted one (sensor bounce, a part's second edge) are ignored. The trigger's kernel timestamp
/// is the best capture time there is: use it as the part's capture time for the reject delay.
public struct PartTrigger: Sendable {
    public let holdoffNs: UInt64
    var lastAcceptedNs: UInt64?

    public init(holdoffNs: UInt64 = Nanoseconds.milliseconds(5)) {
        self.holdoffNs = holdoffNs
    }

    /// The capture time for this edge, or nil if it starts no capture.
    public mutating func accept(becameActive: Bool, atNs: UInt64) -> UInt64? {
        guard becameActive else { return nil }
        if let last = lastAcceptedNs, atNs < last + holdoffNs { return nil }
        lastAcceptedNs = atNs
        return atNs
    }
}
