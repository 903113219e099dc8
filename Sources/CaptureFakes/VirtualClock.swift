import Capture

/// A monotonic clock that only moves when told to (or when something sleeps on it), recording
/// every sleep, so timeouts, frame pacing and reconnect backoff run instantly and deterministically.
public final class VirtualClock: MonotonicClock {
    public private(set) var now: UInt64
    /// Every `sleep(for:)` asked of this clock, in order.
    public private(set) var sleeps: [Duration] = []

    public init(startNanoseconds: UInt64 = 1_000_000_000) {
        now = startNanoseconds
    }

    public func nowNanoseconds() -> UInt64 { now }

    /// Advances the time by `duration` at once.
    public func sleep(for duration: Duration) {
        sleeps.append(duration)
        advance(by: duration)
    }

    public func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0 else { return }
        now &+= UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }

    public func advance(to nanoseconds: UInt64) {
        now = max(now, nanoseconds)
    }
}
