/// How a lost camera is retried: exponential backoff between attempts, capped, optionally limited.
public struct ReconnectPolicy: Sendable, Equatable {
    public var initialDelay: Duration
    public var multiplier: Int
    public var maximumDelay: Duration
    /// nil: keep trying for ever (a line camera may be replugged at any time).
    public var maximumAttempts: Int?
    /// A stream that times out this many times in a row is restarted as if unplugged.
    public var restartAfterConsecutiveTimeouts: Int

    public init(initialDelay: Duration = .milliseconds(200), multiplier: Int = 2, maximumDelay: Duration = .seconds(5),
                maximumAttempts: Int? = nil, restartAfterConsecutiveTimeouts: Int = 3) {
        precondition(multiplier >= 1 && restartAfterConsecutiveTimeouts >= 1, "invalid reconnect policy")
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maximumDelay = maximumDelay
        self.maximumAttempts = maximumAttempts
        self.restartAfterConsecutiveTimeouts = restartAfterConsecutiveTimeouts
    }

    /// The wait before attempt `attempt` (0-based): initial * multiplier^attempt, at most the maximum.
    public func delay(beforeAttempt attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 0..<attempt {
            delay = delay * multiplier
            if delay >= maximumDelay { return maximumDelay }
        }
        return min(delay, maximumDelay)
    }
}
