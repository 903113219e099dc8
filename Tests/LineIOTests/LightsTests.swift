import LineIO
import LineIOFakes
import PlatformFakes
import Testing

@Suite struct LightsTests {
    let ms = Bench.ms

    /// The light's value every millisecond over two seconds (or `count` ms).
    func sampled(_ mode: StatusMode, count: Int = 2000) -> [Bool] {
        (0..<count).map { mode.isOn(elapsedNs: ms(UInt64($0))) }
    }

    func onRuns(_ samples: [Bool]) -> Int {
        zip([false] + samples, samples).filter { !$0 && $1 }.count
    }

    @Test func everyStatusModeHasItsOwnPattern() {
        let patterns = StatusMode.allCases.map { sampled($0) }
        for i in patterns.indices {
            for j in patterns.indices where j > i {
                #expect(patterns[i] != patterns[j], "\(StatusMode.allCases[i]) looks like \(StatusMode.allCases[j])")
            }
        }
        #expect(sampled(.ready).allSatisfy { $0 })
        #expect(sampled(.off).allSatisfy { !$0 })
        #expect(onRuns(sampled(.noModel)) == 2)       // 1 Hz
        #expect(onRuns(sampled(.calibrating)) == 8)   // 4 Hz
        #expect(onRuns(sampled(.fault)) == 4)         // two blinks a second
    }

    @Test func nextChangeIsWhereTheSampledPatternChanges() {
        for mode in StatusMode.allCases {
            let samples = sampled(mode, count: 3000)
            for t in stride(from: 0, to: 1500, by: 7) {
                let next = mode.nextChange(afterElapsedNs: ms(UInt64(t)))
                let firstDifferent = samples[(t + 1)...].firstIndex { $0 != samples[t] }
                if let firstDifferent {
                    #expect(next == ms(UInt64(firstDifferent)), "\(mode) at \(t) ms")
                } else {
                    #expect(next == nil, "\(mode) at \(t) ms: steady, yet a change at \(next ?? 0)")
                }
            }
        }
    }

    @Test func theStatusLightBlinksThroughTheLoop() throws {
        let clock = VirtualClock(startNs: 0)
        let driver = FakeLineDriver(clock: clock)
        let controller = try LineIOController(driver: driver, configuration: Bench.configuration(), nowNs: 0,
                                              initialStatus: .calibrating)
        Bench.run(controller, clock, untilNs: ms(1000))
        let pulses = Bench.pulses(driver, Bench.statusLight)
        #expect(pulses.prefix(4).map(\.on) == [0, ms(250), ms(500), ms(750)])
        #expect(pulses.prefix(4).compactMap(\.off) == [ms(125), ms(375), ms(625), ms(875)])
        controller.setStatus(.ready, nowNs: clock.nowNs)
        Bench.run(controller, clock, untilNs: ms(3000))
        #expect(driver.value(of: Bench.statusLight) == true)
        #expect(driver.changes(of: Bench.statusLight).last?.timestampNs ?? 0 < ms(1010))
    }

    @Test func passAndFailLightsShowEachDecisionForTheHoldTime() throws {
        let clock = VirtualClock(startNs: 0)
        let driver = FakeLineDriver(clock: clock)
        let controller = try LineIOController(driver: driver, configuration: Bench.configuration(delayMs: 100),
                                              nowNs: 0, initialStatus: .ready)
        try controller.register(PartID(rawValue: 1), captureNs: ms(10))
        try controller.register(PartID(rawValue: 2), captureNs: ms(1000))
        _ = controller.resolve(PartID(rawValue: 1), verdict: .pass)
        _ = controller.resolve(PartID(rawValue: 2), verdict: .reject)
        Bench.run(controller, clock, untilNs: ms(2000))
        #expect(Bench.pulses(driver, Bench.passLight).map(\.on) == [ms(110)])
        #expect(Bench.pulses(driver, Bench.passLight).map(\.off) == [ms(610)])
        #expect(Bench.pulses(driver, Bench.failLight).map(\.on) == [ms(1100)])
        #expect(Bench.pulses(driver, Bench.failLight).map(\.off) == [ms(1600)])
    }
}
