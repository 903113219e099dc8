import LineIO

/// A clock that moves only when told: by `advance`, by `sleep(untilNs:)`, or by a
/// `FakeLineDriver` waiting for events.
///
/// `wakeLatencyNs` models a late wake-up: every sleep or wait returns that much after its deadline,
/// so tests can check that timing still holds on a real, slightly late, scheduler.
public final class VirtualClock: MonotonicClock {
    public var nowNs: UInt64
    public var wakeLatencyNs: UInt64

    public init(startNs: UInt64 = 1_000_000_000, wakeLatencyNs: UInt64 = 0) {
        self.nowNs = startNs
        self.wakeLatencyNs = wakeLatencyNs
    }

    public func sleep(untilNs deadlineNs: UInt64) {
        if deadlineNs > nowNs { nowNs = deadlineNs + wakeLatencyNs }
    }

    public func advance(byNs delta: UInt64) {
        nowNs += delta
    }
}
