import Capture
import Testing

@Suite("Reconnect backoff policy")
struct ReconnectPolicyTests {
    @Test func delayDoublesUpToTheCap() {
        let policy = ReconnectPolicy(initialDelay: .milliseconds(200), multiplier: 2, maximumDelay: .seconds(1))
        #expect((0..<5).map { policy.delay(beforeAttempt: $0) } ==
            [.milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
        #expect(policy.delay(beforeAttempt: 10_000) == .seconds(1))
    }

    @Test func multiplierOneKeepsDelayConstant() {
        let policy = ReconnectPolicy(initialDelay: .milliseconds(50), multiplier: 1)
        #expect(policy.delay(beforeAttempt: 7) == .milliseconds(50))
    }
}
