import Glibc

/// A monotonic time source that can also wait, so timing logic runs on a virtual clock in tests.
public protocol MonotonicClock: AnyObject {
    /// CLOCK_MONOTONIC nanoseconds (the clock V4L2 stamps buffers with).
    func nowNanoseconds() -> UInt64
    /// Blocks the calling thread for `duration`.
    func sleep(for duration: Duration)
}

/// The system's CLOCK_MONOTONIC (clock_gettime) and nanosleep.
public final class SystemMonotonicClock: MonotonicClock {
    public init() {}

    public func nowNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    /// nanosleep, continuing with the remaining time after EINTR.
    public func sleep(for duration: Duration) {
        guard duration > .zero else { return }
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1 && errno == EINTR {
            request = remaining
        }
    }
}

extension Duration {
    /// Whole nanoseconds (negative durations give 0).
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}
