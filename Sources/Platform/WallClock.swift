#if canImport(Glibc)
import Glibc
#endif

/// Wall time (CLOCK_REALTIME), only for timestamps people and other systems read (messages, the
/// reject archive); every interval and deadline uses `SystemClock` (CLOCK_MONOTONIC).
public enum WallClock {
    /// Now, in ms since 1970.
    public static func nowMs() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec / 1_000_000)
    }

    /// A CLOCK_MONOTONIC time as wall ms, through the current offset between the two clocks.
    public static func ms(monotonicNs: UInt64) -> Int64 {
        let nowMono = SystemClock.shared.nowNs
        let ageMs = nowMono >= monotonicNs ? Int64((nowMono - monotonicNs) / 1_000_000) : -Int64((monotonicNs - nowMono) / 1_000_000)
        return nowMs() - ageMs
    }

    /// "2026-12-01T09:40:01.123Z"
    public static func iso8601(ms: Int64) -> String {
        var seconds = time_t(ms / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let milli = Int(((ms % 1000) + 1000) % 1000)
        let milliText = milli < 10 ? "00\(milli)" : milli < 100 ? "0\(milli)" : "\(milli)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(milliText)Z"
    }
}
