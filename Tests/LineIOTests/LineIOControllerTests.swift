import LineIO
import LineIOFakes
import PlatformFakes
import SystemPackage
import Testing

@Suite struct LineIOControllerTests {
    let ms = Bench.ms

    func faultCause(_ controller: LineIOController) -> LineIOError? {
        if case .faulted(let cause, _, _) = controller.state { cause } else { nil }
    }

    @Test func startRequestsEveryOutputAtItsSafeValueIncludingActiveLowPins() throws {
        let clock = VirtualClock()
        let driver = FakeLineDriver(clock: clock)
        _ = try LineIOController(driver: driver, configuration: Bench.configuration(rejectActiveLow: true), nowNs: clock.nowNs)
        for address in Bench.outputAddresses {
            let first = try #require(driver.changes(of: address).first, "\(address) never requested")
            #expect(first.active == false, "\(address) did not start inactive")
        }
        // Active-low reject line: inactive means the pin is high from the first instant.
        #expect(driver.changes(of: Bench.reject0).first?.pinHigh == true)
        #expect(driver.changes(of: Bench.reject1).first?.pinHigh == false)
    }

    @Test(arguments: [Bench.reject0, Bench.reject1, Bench.passLight, Bench.failLight, Bench.statusLight,
                      Bench.button, Bench.trigger])
    func aFailedRequestAtStartLeavesTheLinesAlreadyRequestedSafeAndReleased(failing: LineAddress) throws {
        let clock = VirtualClock()
        let driver = FakeLineDriver(clock: clock)
        let isOutput = Bench.outputAddresses.contains(failing)
        driver.fail(isOutput ? .requestOutput : .requestInput, on: failing, errno: .resourceBusy)
        #expect(throws: LineIOError.lineRequest(failing, consumer: consumer(failing), output: isOutput,
                                                errno: .resourceBusy)) {
            _ = try LineIOController(driver: driver, configuration: Bench.configuration(), nowNs: clock.nowNs)
        }
        #expect(driver.allOutputsSafe)
        #expect(driver.requestedAddresses.isEmpty)
    }

    func consumer(_ address: LineAddress) -> String {
        let config = Bench.configuration()
        if let output = config.outputs.first(where: { $0.address == address }) { return output.consumer }
        return [config.button, config.partTrigger].compactMap { $0 }.first { $0.address == address }!.consumer
    }

    @Test func aFailedButtonReadAtStartLeavesEveryOutputSafeAndReleased() {
        let driver = FakeLineDriver(clock: VirtualClock())
        driver.fail(.read, on: Bench.button, errno: .ioError)
        #expect(throws: LineIOError.lineRead(Bench.button, errno: .ioError)) {
            _ = try LineIOController(driver: driver, configuration: Bench.configuration(), nowNs: 0)
        }
        #expect(driver.allOutputsSafe)
        #expect(driver.requestedAddresses.isEmpty)
    }

    /// A controller in the middle of a reject pulse, with parts still in flight behind it.
    func midPulse() throws -> (VirtualClock, FakeLineDriver, LineIOController) {
        let clock = VirtualClock(startNs: 0)
        let driver = FakeLineDriver(clock: clock)
        let controller = try LineIOController(driver: driver, configuration: Bench.configuration(delayMs: 100, widthMs: 30),
                                              nowNs: 0, initialStatus: .ready)
        for id in 1...3 {
            try controller.register(PartID(rawValue: UInt64(id)), captureNs: ms(10) * UInt64(id))
            _ = controller.resolve(PartID(rawValue: UInt64(id)), verdict: .reject)
        }
        Bench.run(controller, clock, untilNs: ms(115))
        #expect(driver.value(of: Bench.reject0) == true)
        #expect(driver.value(of: Bench.failLight) == true)
        return (clock, driver, controller)
    }

    @Test(arguments: [Bench.reject0, Bench.failLight, Bench.statusLight])
    func aFailedSetFaultsWithEveryOutputSafe(failing: LineAddress) throws {
        let (clock, driver, controller) = try midPulse()
        driver.fail(.set, on: failing, errno: .ioError)
        if failing == Bench.statusLight { controller.setStatus(.calibrating, nowNs: clock.nowNs) }
        if failing == Bench.failLight { _ = controller.resolve(PartID(rawValue: 3), verdict: .pass) }
        Bench.run(controller, clock, untilNs: ms(300))
        let cause = try #require(faultCause(controller), "no fault after a failed set on \(failing)")
        guard case .lineSet(let address, _, .ioError) = cause else {
            Issue.record("unexpected cause \(cause)")
            return
        }
        #expect(address == failing)
        #expect(driver.value(of: Bench.reject0) == false)
        #expect(driver.value(of: Bench.reject1) == false)
        #expect(driver.value(of: Bench.passLight) == false)
        #expect(driver.value(of: Bench.failLight) == false)
        #expect(!cause.description.contains("\n"))
        #expect(cause.description.contains("\(failing)"))
    }

    @Test func aFaultAbandonsThePartsInFlightAndCutsTheRunningPulse() throws {
        let (clock, driver, controller) = try midPulse()
        driver.fail(.waitForEvents, errno: .badFileDescriptor)
        let cutAt = clock.nowNs
        Bench.run(controller, clock, untilNs: ms(200))
        guard case .faulted(.eventWait(.badFileDescriptor), let abandoned, let failures) = controller.state else {
            Issue.record("state is \(controller.state)")
            return
        }
        #expect(abandoned.map(\.rawValue) == [2, 3])
        #expect(failures.isEmpty)
        #expect(driver.changes(of: Bench.reject0).last?.timestampNs == cutAt)
        #expect(driver.value(of: Bench.reject0) == false)
        #expect(throws: LineIOError.self) { try controller.register(PartID(rawValue: 9), captureNs: clock.nowNs) }
    }

    @Test func anOutputThatCannotBeMadeSafeIsReportedWhileTheOthersGoSafe() throws {
        let (clock, driver, controller) = try midPulse()
        driver.fail(.set, on: Bench.reject0, errno: .ioError, times: 100)
        Bench.run(controller, clock, untilNs: ms(300))
        guard case .faulted(_, _, let failures) = controller.state else {
            Issue.record("state is \(controller.state)")
            return
        }
        #expect(failures == [.lineSet(Bench.reject0, value: false, errno: .ioError)])
        #expect(driver.value(of: Bench.reject1) == false)
        #expect(driver.value(of: Bench.failLight) == false)
        #expect(driver.value(of: Bench.passLight) == false)
    }

    @Test func theFaultStateDoubleBlinksTheStatusLight() throws {
        let (clock, driver, controller) = try midPulse()
        controller.fault(.invalidConfiguration("camera gone"), nowNs: clock.nowNs)
        let faultAt = clock.nowNs
        Bench.run(controller, clock, untilNs: faultAt + ms(999))
        let blinks = Bench.pulses(driver, Bench.statusLight).filter { $0.on >= faultAt && $0.on < faultAt + ms(999) }
        #expect(blinks.map { $0.on - faultAt } == [0, ms(300)])
        #expect(controller.statusMode == .fault)
        #expect(driver.value(of: Bench.reject0) == false)
    }

    @Test func tooManyPartsFromTheCommandQueueFaultWithOutputsSafe() throws {
        let clock = VirtualClock(startNs: 0)
        let driver = FakeLineDriver(clock: clock)
        var config = Bench.configuration(delayMs: 500)
        config.maximumPartsInFlight = 4
        let controller = try LineIOController(driver: driver, configuration: config, nowNs: 0)
        let queue = LineIOCommandQueue()
        for id in 1...5 {
            queue.push(.register(PartID(rawValue: UInt64(id)), captureNs: ms(UInt64(id)), rejectLine: 0))
            queue.push(.resolve(PartID(rawValue: UInt64(id)), .reject))
        }
        Bench.run(controller, clock, untilNs: ms(10), commands: queue)
        #expect(faultCause(controller) == .tooManyPartsInFlight(rejectLine: 0, limit: 4))
        // Every actuator is safe; the status light alone runs the fault pattern.
        #expect(Bench.actuators.allSatisfy { driver.value(of: $0) == false })
        #expect(controller.statusMode == .fault)
    }

    @Test func shutdownDrivesEveryOutputSafeAndReleasesTheLines() throws {
        let (_, driver, controller) = try midPulse()
        #expect(controller.shutdown().isEmpty)
        #expect(driver.allOutputsSafe)
        #expect(driver.requestedAddresses.isEmpty)
        #expect(controller.state == .stopped)
    }

    @Test func droppingTheControllerDrivesEveryOutputSafeAndReleasesTheLines() throws {
        let clock = VirtualClock(startNs: 0)
        let driver = FakeLineDriver(clock: clock)
        do {
            let (_, _, controller) = try midPulseOn(driver, clock)
            _ = controller
        }
        #expect(driver.allOutputsSafe)
        #expect(driver.requestedAddresses.isEmpty)
    }

    func midPulseOn(_ driver: FakeLineDriver, _ clock: VirtualClock) throws -> (VirtualClock, FakeLineDriver, LineIOController) {
        let controller = try LineIOController(driver: driver, configuration: Bench.configuration(delayMs: 100, widthMs: 30),
                                              nowNs: 0)
        try controller.register(PartID(rawValue: 1), captureNs: ms(10))
        Bench.run(controller, clock, untilNs: ms(115))
        #expect(driver.value(of: Bench.reject0) == true)
        return (clock, driver, controller)
    }

    @Test func thePartTriggerReportsTheKernelTimestampAndIgnoresBounce() throws {
        let clock = VirtualClock(startNs: 0, wakeLatencyNs: 150_000)
        let driver = FakeLineDriver(clock: clock)
        let controller = try LineIOController(driver: driver, configuration: Bench.configuration(), nowNs: 0)
        let edges: [(Bool, UInt64)] = [(true, ms(20)), (false, ms(21)), (true, ms(22)), (false, ms(40)),
                                       (true, ms(70)), (false, ms(90))]
        for (active, at) in edges { driver.injectEdge(on: Bench.trigger, becameActive: active, atNs: at) }
        let inputs = Bench.run(controller, clock, untilNs: ms(100))
        #expect(inputs == [.partPresent(captureNs: ms(20)), .partPresent(captureNs: ms(70))])
    }

    @Test func anInvalidConfigurationIsRefusedBeforeAnyLineIsTouched() {
        let driver = FakeLineDriver(clock: VirtualClock())
        var config = Bench.configuration()
        config.failLight = OutputLineConfig(address: Bench.reject0, consumer: "oops")
        #expect(throws: LineIOError.invalidConfiguration("line \(Bench.reject0) is configured twice")) {
            _ = try LineIOController(driver: driver, configuration: config, nowNs: 0)
        }
        #expect(driver.changes.isEmpty)
    }
}
