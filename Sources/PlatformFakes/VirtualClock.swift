import Platform

/// The one clock of the tests and simulations: it moves only when told to (`advance`) or when
/// something sleeps on it (a sleep jumps to its deadline), and records every sleep, so timeouts,
/// frame pacing, reconnect backoff and reject timing run instantly and deterministically.
///
/// `wakeLatencyNs` models a late wake-up: every sleep returns that much after its deadline, so
/// tests can check that timing still holds on a real, slightly late, scheduler.
/// Not thread-safe: one thread drives a virtual world.
public final class VirtualClock: MonotonicClock {
    public var nowNs: UInt64
    public var wakeLatencyNs: UInt64
    /// Every sleep asked of this clock (from its start to its deadline), in order.
    public private(set) var sleeps: [Duration] = []

    public init(startNs: UInt64 = 1_000_000_000, wakeLatencyNs: UInt64 = 0) {
        self.nowNs = startNs
        self.wakeLatencyNs = wakeLatencyNs
    }

    public func sleep(untilNs deadlineNs: UInt64) {
        guard deadlineNs > nowNs else { return }
        sleeps.append(.nanoseconds(Int64(clamping: deadlineNs - nowNs)))
        nowNs = deadlineNs &+ wakeLatencyNs
    }

    public func advance(byNs delta: UInt64) {
        nowNs &+= delta
    }

    public func advance(by duration: Duration) {
        nowNs &+= duration.nanoseconds
    }

    /// Moves to `deadlineNs` unless the clock is already past it.
    public func advance(toNs deadlineNs: UInt64) {
        nowNs = max(nowNs, deadlineNs)
    }
}
