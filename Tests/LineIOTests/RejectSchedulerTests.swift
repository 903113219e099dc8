import LineIO
import LineIOFakes
import PlatformFakes
import Testing

@Suite struct RejectSchedulerTests {
    let ms = Bench.ms

    @Test func pulseStartsAfterTheDelayAndLastsItsWidthWithinOneMillisecond() throws {
        // The loop wakes 300 us late every time, like a busy board would.
        let clock = VirtualClock(wakeLatencyNs: 300_000)
        let driver = FakeLineDriver(clock: clock)
        let controller = try LineIOController(driver: driver, configuration: Bench.configuration(delayMs: 120, widthMs: 15),
                                              nowNs: clock.nowNs)
        let capture = clock.nowNs + ms(7)
        try controller.register(PartID(rawValue: 1), captureNs: capture)
        #expect(controller.resolve(PartID(rawValue: 1), verdict: .reject) == .recorded)
        Bench.run(controller, clock, untilNs: capture + ms(200))

        let pulses = Bench.pulses(driver, Bench.reject0)
        #expect(pulses.count == 1)
        let pulse = try #require(pulses.first)
        let off = try #require(pulse.off)
        let delayError = Bench.distance(pulse.on, capture + ms(120))
        let widthError = Bench.distance(off - pulse.on, ms(15))
        print("pulse delay error \(delayError) ns, width error \(widthError) ns (wake latency 300 us)")
        #expect(delayError <= ms(1))
        #expect(widthError <= ms(1))
    }

    @Test func twentyPartsInFlightAreDecidedInCaptureOrderWithNoneDropped() throws {
        let clock = VirtualClock(wakeLatencyNs: 200_000)
        let driver = FakeLineDriver(clock: clock)
        let controller = try LineIOController(driver: driver, configuration: Bench.configuration(delayMs: 400, widthMs: 4),
                                              nowNs: clock.nowNs)
        let start = clock.nowNs
        let captures = (0..<20).map { start + ms(10) * UInt64($0) }
        for (index, capture) in captures.enumerated() {
            try controller.register(PartID(rawValue: UInt64(100 + index)), captureNs: capture)
        }
        #expect(controller.partsInFlight == 20)
        // Verdicts arrive out of order; every third part is rejected.
        for index in [7, 3, 19, 0, 12, 5, 18, 1, 9, 14, 2, 16, 8, 11, 4, 17, 6, 13, 10, 15] {
            _ = controller.resolve(PartID(rawValue: UInt64(100 + index)), verdict: index % 3 == 0 ? .reject : .pass)
        }
        let inputs = Bench.run(controller, clock, untilNs: captures.last! + ms(500))

        let decided = Bench.decisions(inputs)
        #expect(decided.map(\.part.rawValue) == (0..<20).map { UInt64(100 + $0) })
        #expect(decided.map(\.rejected) == (0..<20).map { $0 % 3 == 0 })
        let pulses = Bench.pulses(driver, Bench.reject0)
        let rejectedCaptures = captures.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
        #expect(pulses.count == rejectedCaptures.count)
        for (pulse, capture) in zip(pulses, rejectedCaptures) {
            #expect(Bench.distance(pulse.on, capture + ms(400)) <= ms(1))
            #expect(Bench.distance((pulse.off ?? 0) - pulse.on, ms(4)) <= ms(1))
        }
        #expect(controller.partsInFlight == 0)
    }

    @Test func overlappingPulsesMergeIntoOnePulseCoveringBothParts() throws {
        let clock = VirtualClock()
        let driver = FakeLineDriver(clock: clock)
        let controller = try LineIOController(driver: driver, configuration: Bench.configuration(delayMs: 100, widthMs: 30),
                                              nowNs: clock.nowNs)
        let first = clock.nowNs + ms(1)
        let second = first + ms(10)  // its pulse starts 20 ms before the first one ends
        try controller.register(PartID(rawValue: 1), captureNs: first)
        try controller.register(PartID(rawValue: 2), captureNs: second)
        _ = controller.resolve(PartID(rawValue: 1), verdict: .reject)
        _ = controller.resolve(PartID(rawValue: 2), verdict: .reject)
        Bench.run(controller, clock, untilNs: second + ms(300))

        let pulses = Bench.pulses(driver, Bench.reject0)
        #expect(pulses.count == 1)
        #expect(pulses.first?.on == first + ms(100))
        #expect(pulses.first?.off == second + ms(100) + ms(30))
    }

    @Test func pulsesCloserThanTheEjectorsMinimumGapMergeAndFartherOnesStayApart() throws {
        let clock = VirtualClock()
        let driver = FakeLineDriver(clock: clock)
        let controller = try LineIOController(driver: driver,
                                              configuration: Bench.configuration(delayMs: 100, widthMs: 10, gapMs: 20),
                                              nowNs: clock.nowNs)
        let t0 = clock.nowNs + ms(1)
        // Gap after part 1 would be 15 ms (< 20): merged. Gap after part 2 is 30 ms: separate.
        for (id, capture) in [(1, t0), (2, t0 + ms(25)), (3, t0 + ms(65))] {
            try controller.register(PartID(rawValue: UInt64(id)), captureNs: capture)
            _ = controller.resolve(PartID(rawValue: UInt64(id)), verdict: .reject)
        }
        Bench.run(controller, clock, untilNs: t0 + ms(300))

        let pulses = Bench.pulses(driver, Bench.reject0)
        #expect(pulses.count == 2)
        #expect(pulses.first?.on == t0 + ms(100))
        #expect(pulses.first?.off == t0 + ms(25) + ms(110))
        #expect(pulses.last?.on == t0 + ms(65) + ms(100))
    }

    @Test func aLateOrFailedInspectionIsRejectedByDefault() throws {
        var scheduler = RejectScheduler(timings: [RejectTiming(delayNs: ms(50), pulseWidthNs: ms(5))])
        try scheduler.register(PartID(rawValue: 1), captureNs: 0)
        try scheduler.register(PartID(rawValue: 2), captureNs: ms(20))
        _ = scheduler.resolve(PartID(rawValue: 2), verdict: .inspectionFailed)
        let first = scheduler.advance(to: ms(50))
        #expect(first.decisions.map(\.basis) == [.late])
        #expect(first.decisions.map(\.rejected) == [true])
        #expect(first.changes == [RejectLineChange(rejectLine: 0, active: true)])
        // The verdict for part 1 arrives after its pulse started: too late, the policy stands.
        #expect(scheduler.resolve(PartID(rawValue: 1), verdict: .pass) == .notInFlight)
        let second = scheduler.advance(to: ms(70))
        #expect(second.decisions.map(\.basis) == [.inspectionFailed])
        #expect(second.decisions.map(\.rejected) == [true])
    }

    @Test func aLateOrFailedInspectionPassesUnderThePassPolicy() throws {
        var scheduler = RejectScheduler(timings: [RejectTiming(delayNs: ms(50), pulseWidthNs: ms(5))], policy: .pass)
        try scheduler.register(PartID(rawValue: 1), captureNs: 0)
        try scheduler.register(PartID(rawValue: 2), captureNs: ms(20))
        _ = scheduler.resolve(PartID(rawValue: 2), verdict: .inspectionFailed)
        let step = scheduler.advance(to: ms(80))
        #expect(step.decisions.map(\.rejected) == [false, false])
        #expect(step.decisions.map(\.basis) == [.late, .inspectionFailed])
        #expect(step.changes.isEmpty)
        #expect(!scheduler.isActive(0))

    }

    @Test func aPartRegisteredAfterItsPulseStartFiresNoPulseAndTheNextPartKeepsItsOwn() throws {
        var scheduler = RejectScheduler(timings: [RejectTiming(delayNs: ms(50), pulseWidthNs: ms(5))])
        // Part 1 was captured at 0 but reaches the scheduler at 60 ms, after its pulse start (50 ms):
        // it is past the ejector, and a pulse now would hit part 2 instead.
        try scheduler.register(PartID(rawValue: 1), captureNs: 0, nowNs: ms(60))
        _ = scheduler.resolve(PartID(rawValue: 1), verdict: .reject)
        try scheduler.register(PartID(rawValue: 2), captureNs: ms(30), nowNs: ms(60))
        _ = scheduler.resolve(PartID(rawValue: 2), verdict: .pass)
        let now = scheduler.advance(to: ms(60))
        #expect(now.decisions.map(\.part) == [PartID(rawValue: 1)])
        #expect(now.decisions.map(\.basis) == [.registeredTooLate])
        #expect(now.decisions.map(\.rejected) == [false])
        #expect(now.changes.isEmpty)
        #expect(!scheduler.isActive(0))
        // Part 2 is decided at its own pulse start, by its own verdict.
        let later = scheduler.advance(to: ms(80))
        #expect(later.decisions.map(\.part) == [PartID(rawValue: 2)])
        #expect(later.decisions.map(\.basis) == [.verdict])
        #expect(later.changes.isEmpty)
        // A part registered exactly at its pulse start is still in time.
        try scheduler.register(PartID(rawValue: 3), captureNs: ms(100), nowNs: ms(150))
        _ = scheduler.resolve(PartID(rawValue: 3), verdict: .reject)
        let onTime = scheduler.advance(to: ms(150))
        #expect(onTime.decisions.map(\.basis) == [.verdict])
        #expect(onTime.changes == [RejectLineChange(rejectLine: 0, active: true)])
    }

    @Test func aFullLineThrowsRatherThanDropAPart() throws {
        var scheduler = RejectScheduler(timings: [RejectTiming(delayNs: ms(50), pulseWidthNs: ms(5))],
                                        maximumPartsInFlight: 3)
        for id in 1...3 { try scheduler.register(PartID(rawValue: UInt64(id)), captureNs: UInt64(id)) }
        #expect(throws: LineIOError.tooManyPartsInFlight(rejectLine: 0, limit: 3)) {
            try scheduler.register(PartID(rawValue: 4), captureNs: 4)
        }
        #expect(scheduler.partsInFlight == 3)
        #expect(throws: LineIOError.duplicatePart(PartID(rawValue: 2))) {
            var copy = RejectScheduler(timings: [RejectTiming(delayNs: ms(50), pulseWidthNs: ms(5))])
            try copy.register(PartID(rawValue: 2), captureNs: 1)
            try copy.register(PartID(rawValue: 2), captureNs: 2)
        }
    }

    @Test func partsRegisteredOutOfCaptureOrderAreStillDecidedInCaptureOrder() throws {
        var scheduler = RejectScheduler(timings: [RejectTiming(delayNs: ms(50), pulseWidthNs: ms(5))])
        try scheduler.register(PartID(rawValue: 2), captureNs: ms(10))
        try scheduler.register(PartID(rawValue: 1), captureNs: ms(5))
        let step = scheduler.advance(to: ms(100))
        #expect(step.decisions.map(\.part.rawValue) == [1, 2])
    }

    @Test func eachRejectLineFiresOnItsOwnDelay() throws {
        let clock = VirtualClock()
        let driver = FakeLineDriver(clock: clock)
        let controller = try LineIOController(driver: driver, configuration: Bench.configuration(delayMs: 100, widthMs: 10),
                                              nowNs: clock.nowNs)
        let capture = clock.nowNs + ms(1)
        try controller.register(PartID(rawValue: 1), captureNs: capture, rejectLine: 0)
        try controller.register(PartID(rawValue: 2), captureNs: capture, rejectLine: 1)
        _ = controller.resolve(PartID(rawValue: 1), verdict: .reject)
        _ = controller.resolve(PartID(rawValue: 2), verdict: .reject)
        Bench.run(controller, clock, untilNs: capture + ms(400))
        #expect(Bench.pulses(driver, Bench.reject0).map(\.on) == [capture + ms(100)])
        #expect(Bench.pulses(driver, Bench.reject1).map(\.on) == [capture + ms(200)])
        #expect(throws: LineIOError.unknownRejectLine(2, configured: 2)) {
            try controller.register(PartID(rawValue: 3), captureNs: capture, rejectLine: 2)
        }
    }
}
