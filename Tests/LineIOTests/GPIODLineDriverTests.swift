import Glibc
import LineIO
import LineIOGPIOD
import Platform
import SystemPackage
import Testing

/// The real libgpiod driver. Without hardware (this container has no /dev/gpiochip*) only the
/// error paths and the empty probe run; on a machine with a gpio-sim chip (the qemu rig) the
/// simulator tests drive and read real kernel lines.
@Suite(.serialized) struct GPIODLineDriverTests {  // the gpio-sim tests share line 0 of the simulated chip
    @Test func openingAMissingChipByNameGivesAOneLineErrorNamingIt() {
        let driver = GPIODLineDriver()
        let address = LineAddress(chip: .name("gpiochip97"), offset: 3)
        do {
            _ = try driver.requestOutput(OutputLineConfig(address: address, consumer: "lineside-test"), initialValue: false)
            Issue.record("gpiochip97 opened")
        } catch {
            #expect(error == .chipOpen(.name("gpiochip97"), errno: .noSuchFileOrDirectory))
            #expect(error.description == "GPIO chip gpiochip97: open failed: No such file or directory (errno 2)")
        }
    }

    @Test func openingAMissingChipByLabelOrABadPathNamesIt() {
        let driver = GPIODLineDriver()
        for selector in [ChipSelector.label("no-such-pinctrl"), .path("/dev/null"), .path("/dev/gpiochip-missing")] {
            let config = InputLineConfig(address: LineAddress(chip: selector, offset: 0), consumer: "lineside-test")
            do {
                _ = try driver.requestInput(config)
                Issue.record("\(selector) opened")
            } catch {
                guard case .chipOpen(let failed, let errno) = error else {
                    Issue.record("unexpected \(error)")
                    continue
                }
                #expect(failed == selector)
                #expect(errno.rawValue != 0)
                #expect(error.description.hasPrefix("GPIO chip \(selector): open failed: "))
                #expect(!error.description.contains("\n"))
            }
        }
    }

    @Test func forcingOutputsSafeReportsEachLineThatCouldNotBeReached() {
        let outputs = [OutputLineConfig(address: LineAddress(chip: .name("gpiochip97"), offset: 17), consumer: "reject-0"),
                       OutputLineConfig(address: LineAddress(chip: .label("no-such-pinctrl"), offset: 4), consumer: "fail")]
        let results = ForceSafeOutputs.run(outputs)
        #expect(results.count == 2)
        #expect(results.allSatisfy { $0.error != nil })
        let text = ForceSafeOutputs.render(results)
        #expect(text.split(separator: "\n").count == 2)
        #expect(text.contains("reject-0 gpiochip97:17: FAILED: GPIO chip gpiochip97: open failed"))
    }

    @Test func probeListsEveryChipInDev() throws {
        let chips = try GPIOProbe.chips()
        let devices = (0..<64).filter { access("/dev/gpiochip\($0)", F_OK) == 0 }.count
        #expect(chips.count == devices)
        if chips.isEmpty {
            print("probe: this machine has no /dev/gpiochip*; only the empty report is checked")
            #expect(GPIOProbe.report().hasSuffix("GPIO: no chips found (no /dev/gpiochip* device)\n"))
        }
        for chip in chips {
            #expect(chip.name.hasPrefix("gpiochip"))
            #expect(chip.lines.map(\.offset) == (0..<UInt32(chip.lines.count)).map { $0 })
        }
        let report = GPIOProbe.report()
        print("probe report:\n" + report, terminator: "")
        #expect(report.hasPrefix("GPIO (libgpiod "))
    }

    // MARK: gpio-sim (the qemu rig)

    /// The first gpio-sim chip with at least two lines, or nil (printing why the test is skipped).
    func simulatorChip(for test: String) -> (name: String, sysfs: String)? {
        let chips = (try? GPIOProbe.chips()) ?? []
        for chip in chips where chip.lines.count >= 2 {
            let sysfs = "/sys/bus/gpio/devices/\(chip.name)"
            if access("\(sysfs)/sim_gpio0/value", F_OK) == 0 { return (chip.name, sysfs) }
        }
        print("\(test): skipped: no gpio-sim chip (needs the qemu rig with gpio-sim; this machine has \(chips.count) chips)")
        return nil
    }

    func readSysfs(_ path: String) -> String {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(fd, &buffer, buffer.count)
        return String(decoding: buffer.prefix(max(0, count)), as: UTF8.self).trimmingWhitespace
    }

    func writeSysfs(_ path: String, _ text: String) {
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = text.withCString { write(fd, $0, strlen($0)) }
    }

    @Test func simulatedOutputFollowsTheLogicalValueWithActiveLowInverted() throws {
        guard let sim = simulatorChip(for: #function) else { return }
        let driver = GPIODLineDriver()
        let plain = try driver.requestOutput(OutputLineConfig(address: LineAddress(chip: .name(sim.name), offset: 0),
                                                              consumer: "lineside-test"), initialValue: false)
        #expect(readSysfs("\(sim.sysfs)/sim_gpio0/value") == "0")
        try driver.set(plain, active: true)
        #expect(readSysfs("\(sim.sysfs)/sim_gpio0/value") == "1")
        let inverted = try driver.requestOutput(OutputLineConfig(address: LineAddress(chip: .name(sim.name), offset: 1),
                                                                 consumer: "lineside-test", activeLow: true),
                                                initialValue: false)
        #expect(readSysfs("\(sim.sysfs)/sim_gpio1/value") == "1")
        try driver.set(inverted, active: true)
        #expect(readSysfs("\(sim.sysfs)/sim_gpio1/value") == "0")
        let busy = OutputLineConfig(address: LineAddress(chip: .name(sim.name), offset: 0), consumer: "second")
        #expect(throws: LineIOError.lineRequest(busy.address, consumer: "second", output: true, errno: .resourceBusy)) {
            _ = try GPIODLineDriver().requestOutput(busy, initialValue: false)
        }
        driver.releaseAll()
    }

    @Test func simulatedInputEdgesCarryKernelMonotonicTimestamps() throws {
        guard let sim = simulatorChip(for: #function) else { return }
        let clock = SystemClock()
        let driver = GPIODLineDriver()
        writeSysfs("\(sim.sysfs)/sim_gpio0/pull", "pull-down")
        let input = try driver.requestInput(InputLineConfig(address: LineAddress(chip: .name(sim.name), offset: 0),
                                                            consumer: "lineside-test", bias: .pullDown))
        #expect(try driver.read(input) == false)
        let before = clock.nowNs
        writeSysfs("\(sim.sysfs)/sim_gpio0/pull", "pull-up")
        let events = try driver.waitForEvents(timeoutNs: Nanoseconds.milliseconds(500))
        let after = clock.nowNs
        #expect(events.count == 1)
        #expect(events.first?.becameActive == true)
        #expect(events.first.map { $0.timestampNs >= before && $0.timestampNs <= after } == true)
        #expect(try driver.read(input) == true)
        driver.releaseAll()
    }
}

extension String {
    var trimmingWhitespace: String {
        String(self.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
