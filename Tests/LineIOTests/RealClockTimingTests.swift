import LineIO
import LineIOFakes
import LineIOGPIOD
import Platform
import Testing

/// The same loop on the real monotonic clock. Wake-up latency here depends on the machine's load
/// (the 1 ms bound is asserted on the virtual clock with modelled latency, see RejectSchedulerTests),
/// so this test prints the measured errors and asserts what holds under any load: every part is
/// decided in order, no pulse starts before its part arrives and no pulse is cut short.
@Suite struct RealClockTimingTests {
    @Test func pulsesOnTheRealClockAreNeverEarlyNorShortAndReportTheirLatency() throws {
        let ms = Nanoseconds.milliseconds
        let clock = SystemClock()
        let driver = FakeLineDriver(clock: clock)
        let controller = try LineIOController(driver: driver, configuration: Bench.configuration(delayMs: 60, widthMs: 12),
                                              nowNs: clock.nowNs)
        let start = clock.nowNs
        let captures = (0..<20).map { start + ms(25) * UInt64($0) }
        for (index, capture) in captures.enumerated() {
            try controller.register(PartID(rawValue: UInt64(index + 1)), captureNs: capture)
            _ = controller.resolve(PartID(rawValue: UInt64(index + 1)), verdict: .reject)
        }
        let inputs = Bench.run(controller, clock, untilNs: captures.last! + ms(100))
        let decided = Bench.decisions(inputs)
        #expect(decided.map(\.part.rawValue) == Array(1...20))
        #expect(decided.allSatisfy { $0.rejected })

        let targets = captures.map { $0 + ms(60) }
        let pulses = Bench.pulses(driver, Bench.reject0)
        var delayErrors: [UInt64] = []
        for pulse in pulses {
            // The part this pulse started for: the latest target at or before it.
            let target = try #require(targets.last { $0 <= pulse.on }, "a pulse started before any part arrived")
            delayErrors.append(pulse.on - target)
            let off = try #require(pulse.off)
            let width = off - pulse.on
            #expect(width >= ms(12), "a pulse was cut short")
        }
        let widthErrors = pulses.compactMap { pulse in pulse.off.map { Int64($0 - pulse.on) - Int64(ms(12)) } }
        let sorted = delayErrors.sorted()
        print("real clock, 20 rejected parts -> \(pulses.count) pulses (fewer = merged after a stall): "
              + "start late by median \(sorted[sorted.count / 2] / 1000) us, max \((sorted.last ?? 0) / 1000) us; "
              + "width long by max \((widthErrors.max() ?? 0) / 1000) us")
    }
}
