/// A monotonic clock in nanoseconds, the same clock as the kernel's GPIO event timestamps and V4L2
/// buffer timestamps (CLOCK_MONOTONIC), so a capture timestamp plus a delay is a pulse start time.
///
/// The real one is `SystemMonotonicClock` (LineIOGPIOD, `clock_gettime`/`clock_nanosleep`); tests and
/// the demo use `VirtualClock` (LineIOFakes), which only moves when told to.
public protocol MonotonicClock: AnyObject {
    /// Now, in ns.
    var nowNs: UInt64 { get }
    /// Blocks until `nowNs >= deadlineNs` (returns at once for a deadline in the past).
    func sleep(untilNs deadlineNs: UInt64)
}

/// Nanosecond helpers so configurations read as times: `Nanoseconds.milliseconds(40)`.
public enum Nanoseconds {
    public static func milliseconds(_ value: UInt64) -> UInt64 { value * 1_000_000 }
    public static func microseconds(_ value: UInt64) -> UInt64 { value * 1_000 }
}
