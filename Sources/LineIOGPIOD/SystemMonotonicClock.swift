import CGPIOD
import LineIO

/// CLOCK_MONOTONIC: `clock_gettime` and `clock_nanosleep(TIMER_ABSTIME)` (through the CGPIOD shim).
/// The same clock as GPIO edge timestamps (Linux >= 5.7) and V4L2 buffer timestamps.
public final class SystemMonotonicClock: MonotonicClock, Sendable {
    public init() {}
    public var nowNs: UInt64 { ls_gpio_monotonic_ns() }
    public func sleep(untilNs deadlineNs: UInt64) { ls_gpio_sleep_until_ns(deadlineNs) }
}
