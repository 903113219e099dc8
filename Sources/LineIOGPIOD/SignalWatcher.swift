import Glibc
import Platform

/// Catches SIGTERM and SIGINT without handlers, threads or Dispatch: the signals are blocked and
/// stay pending until the line I/O loop collects them with a zero-timeout `sigtimedwait` each turn
/// (at most `LineIOConfiguration.maximumIdleNs` apart), then calls `LineIOController.shutdown()`.
///
/// Create it at the very top of `main`, before any thread starts: a blocked-signal mask is inherited
/// by threads created afterwards (`pthread_sigmask`), so no thread can be killed by the default
/// action while the loop still has outputs to make safe.
public struct SignalWatcher: Sendable {
    public let signals: [Int32]

    public init(signals: [Int32] = [SIGTERM, SIGINT]) {
        self.signals = signals
        var set = Self.set(of: signals)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// The first pending watched signal (consumed), or nil. Never blocks.
    public func takePending() -> Int32? {
        var set = Self.set(of: signals)
        var zero = timespec(tv_sec: 0, tv_nsec: 0)
        var info = siginfo_t()
        // EAGAIN: none pending.
        return try? valueOrErrno { sigtimedwait(&set, &info, &zero) }
    }

    /// "SIGTERM", "SIGINT", or the number.
    public static func name(of signal: Int32) -> String {
        switch signal {
        case SIGTERM: return "SIGTERM"
        case SIGINT: return "SIGINT"
        default: return "signal \(signal)"
        }
    }

    static func set(of signals: [Int32]) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        return set
    }
}
