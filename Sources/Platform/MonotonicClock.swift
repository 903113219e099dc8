import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// The one monotonic clock of lineside, in nanoseconds of CLOCK_MONOTONIC: the clock the kernel
/// stamps V4L2 buffers and GPIO edge events with, so a capture timestamp plus a delay is a pulse
/// start time.
///
/// The real one is `SystemClock`; tests and simulations use `VirtualClock` (PlatformFakes), which
/// only moves when told to or when something sleeps on it.
public protocol MonotonicClock: AnyObject {
    /// Now, in ns.
    var nowNs: UInt64 { get }
    /// Blocks until `nowNs >= deadlineNs` (returns at once for a deadline in the past).
    func sleep(untilNs deadlineNs: UInt64)
}

extension MonotonicClock {
    /// Blocks the calling thread for `duration` (nothing for a negative one).
    public func sleep(for duration: Duration) {
        sleep(untilNs: nowNs &+ duration.nanoseconds)
    }
}

/// CLOCK_MONOTONIC through `clock_gettime` and `clock_nanosleep(TIMER_ABSTIME)`; an interrupted
/// sleep resumes towards the same deadline.
public final class SystemClock: MonotonicClock, Sendable {
    public static let shared = SystemClock()

    public init() {}

    public var nowNs: UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    public func sleep(untilNs deadlineNs: UInt64) {
        var deadline = timespec(tv_sec: Int(deadlineNs / 1_000_000_000), tv_nsec: Int(deadlineNs % 1_000_000_000))
        try? zeroOrErrorNumber { clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nil) }
    }
}

extension Duration {
    /// Whole nanoseconds (0 for a negative duration, saturating at UInt64.max).
    public var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .max }
        let (sum, carry) = whole.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
        return carry ? .max : sum
    }
}

/// Nanosecond helpers so settings read as times: `Nanoseconds.milliseconds(40)`.
public enum Nanoseconds {
    public static func milliseconds(_ value: UInt64) -> UInt64 { value * 1_000_000 }
    public static func microseconds(_ value: UInt64) -> UInt64 { value * 1_000 }
}
