import Platform

/// Keeps a frame source running through unplugs and stalls without restarting the process.
///
/// A transient fault (unplug, busy, stalled stream after `restartAfterConsecutiveTimeouts` timeouts)
/// is thrown to the caller once, then the source is stopped. Each following `withNextFrame` first
/// waits the policy's backoff delay and restarts the source (which re-negotiates the format and
/// re-applies the controls); a failed attempt is thrown and the next call tries again, longer after.
/// Configuration errors are never retried.
public final class ReconnectingFrameSource: FrameSource {
    private enum State {
        case stopped
        case streaming
        case disconnected(attempt: Int, cause: CaptureError)
    }

    public let source: any FrameSource
    public let policy: ReconnectPolicy
    /// Receives `.reconnecting` and `.reconnected`.
    public var onEvent: ((CaptureEvent) -> Void)?

    private let clock: any MonotonicClock
    private var state = State.stopped
    private var consecutiveTimeouts = 0
    private var reconnects: UInt64 = 0

    public init(_ source: any FrameSource, policy: ReconnectPolicy = ReconnectPolicy(),
                clock: any MonotonicClock = SystemClock()) {
        self.source = source
        self.policy = policy
        self.clock = clock
    }

    public var name: String { source.name }

    public var statistics: CaptureStatistics {
        var statistics = source.statistics
        statistics.reconnects = reconnects
        return statistics
    }

    /// True while the source is down and waiting to be restarted.
    public var isDisconnected: Bool {
        if case .disconnected = state { return true }
        return false
    }

    /// Starts the source; a transient failure leaves it disconnected, to be retried by `withNextFrame`.
    public func start() throws(CaptureError) {
        consecutiveTimeouts = 0
        do {
            try source.start()
            state = .streaming
        } catch {
            source.stop()
            state = error.isTransient ? .disconnected(attempt: 0, cause: error) : .stopped
            throw error
        }
    }

    public func stop() {
        source.stop()
        state = .stopped
    }

    public func withNextFrame<R>(timeout: Duration, _ body: (Frame) throws -> R) throws -> R {
        switch state {
        case .stopped:
            throw CaptureError.notStarted(source: name)
        case let .disconnected(attempt, cause):
            try reconnect(attempt: attempt, cause: cause)
        case .streaming:
            break
        }
        do {
            let result = try source.withNextFrame(timeout: timeout, body)
            consecutiveTimeouts = 0
            return result
        } catch let error as CaptureError where error.isTransient {
            if case .noFrame = error {
                consecutiveTimeouts += 1
                guard consecutiveTimeouts >= policy.restartAfterConsecutiveTimeouts else { throw error }
            }
            source.stop()
            state = .disconnected(attempt: 0, cause: error)
            throw error
        }
    }

    private func reconnect(attempt: Int, cause: CaptureError) throws(CaptureError) {
        if let limit = policy.maximumAttempts, attempt >= limit {
            state = .stopped
            throw .reconnectGaveUp(source: name, attempts: attempt, lastError: cause.description)
        }
        let delay = policy.delay(beforeAttempt: attempt)
        onEvent?(.reconnecting(attempt: attempt + 1, delay: delay, cause: cause))
        clock.sleep(for: delay)
        do {
            try source.start()
        } catch {
            source.stop()
            state = error.isTransient ? .disconnected(attempt: attempt + 1, cause: error) : .stopped
            throw error
        }
        state = .streaming
        consecutiveTimeouts = 0
        reconnects += 1
        onEvent?(.reconnected(attempt: attempt + 1))
    }
}
