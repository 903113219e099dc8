import LineIO
import LineIOFakes
import LineIOGPIOD
import Testing

/// The same loop on the real monotonic clock: what wake-up latency does to pulse timing here.
@Suite struct RealClockTimingTests {
    @Test func pulsesOnTheRealClockStartAndEndWithinOneMillisecond() throws {
        let ms = Nanoseconds.milliseconds
        let clock = SystemMonotonicClock()
        let driver = FakeLineDriver(clock: clock)
        let controller = try LineIOController(driver: driver, configuration: Bench.configuration(delayMs: 60, widthMs: 12),
                                              nowNs: clock.nowNs)
        let start = clock.nowNs
        let captures = (0..<20).map { start + ms(25) * UInt64($0) }
        for (index, capture) in captures.enumerated() {
            try controller.register(PartID(rawValue: UInt64(index + 1)), captureNs: capture)
            _ = controller.resolve(PartID(rawValue: UInt64(index + 1)), verdict: .reject)
        }
        Bench.run(controller, clock, untilNs: captures.last! + ms(100))
        let pulses = Bench.pulses(driver, Bench.reject0)
        #expect(pulses.count == 20)
        let delayErrors = zip(pulses, captures).map { Bench.distance($0.on, $1 + ms(60)) }
        let widthErrors = pulses.map { Bench.distance(($0.off ?? 0) - $0.on, ms(12)) }
        let worstDelay = delayErrors.max() ?? 0
        let worstWidth = widthErrors.max() ?? 0
        print("real clock, 20 pulses: delay error max \(worstDelay / 1000) us, median \(delayErrors.sorted()[10] / 1000) us; width error max \(worstWidth / 1000) us")
        #expect(worstDelay <= ms(1))
        #expect(worstWidth <= ms(1))
    }
}
