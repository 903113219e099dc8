import LineIO
import LineIOFakes
import Platform

/// A bench of lines on one fake chip, as a board would wire them.
enum Bench {
    static let chip = ChipSelector.label("pinctrl-bcm2711")
    static let reject0 = LineAddress(chip: chip, offset: 17)
    static let reject1 = LineAddress(chip: chip, offset: 27)
    static let passLight = LineAddress(chip: chip, offset: 22)
    static let failLight = LineAddress(chip: chip, offset: 23)
    static let statusLight = LineAddress(chip: chip, offset: 24)
    static let button = LineAddress(chip: chip, offset: 5)
    static let trigger = LineAddress(chip: chip, offset: 6)

    static let ms = Nanoseconds.milliseconds

    static var outputAddresses: [LineAddress] { [reject0, reject1, passLight, failLight, statusLight] }
    /// The outputs that act on parts or tell the operator a result (all but the status light).
    static var actuators: [LineAddress] { [reject0, reject1, passLight, failLight] }

    static func configuration(delayMs: UInt64 = 120, widthMs: UInt64 = 15, gapMs: UInt64 = 0,
                              failSafe: FailSafePolicy = .reject, rejectActiveLow: Bool = false) -> LineIOConfiguration {
        let timing = RejectTiming(delayNs: ms(delayMs), pulseWidthNs: ms(widthMs), minimumGapNs: ms(gapMs))
        var config = LineIOConfiguration(
            rejectLines: [
                .init(output: OutputLineConfig(address: reject0, consumer: "lineside-reject-0", activeLow: rejectActiveLow),
                      timing: timing),
                .init(output: OutputLineConfig(address: reject1, consumer: "lineside-reject-1"),
                      timing: RejectTiming(delayNs: ms(delayMs * 2), pulseWidthNs: ms(widthMs))),
            ],
            passLight: OutputLineConfig(address: passLight, consumer: "lineside-pass"),
            failLight: OutputLineConfig(address: failLight, consumer: "lineside-fail"),
            statusLight: OutputLineConfig(address: statusLight, consumer: "lineside-status"),
            button: InputLineConfig(address: button, consumer: "lineside-button", activeLow: true, bias: .pullUp),
            partTrigger: InputLineConfig(address: trigger, consumer: "lineside-trigger", bias: .pullDown),
            failSafe: failSafe)
        config.longPressNs = ms(2000)
        config.debounceNs = ms(30)
        return config
    }

    /// Runs the loop until the clock reaches `endNs`, collecting what it reports.
    @discardableResult
    static func run(_ controller: LineIOController, _ clock: any MonotonicClock, untilNs endNs: UInt64,
                    commands: LineIOCommandQueue? = nil) -> [LineIOInput] {
        var inputs: [LineIOInput] = []
        while clock.nowNs < endNs { inputs += controller.runOnce(clock: clock, commands: commands) }
        return inputs
    }

    /// The (on, off) times of every pulse recorded on `address`, after its initial request value.
    static func pulses(_ driver: FakeLineDriver, _ address: LineAddress) -> [(on: UInt64, off: UInt64?)] {
        var result: [(on: UInt64, off: UInt64?)] = []
        for change in driver.changes(of: address).dropFirst() {
            if change.active { result.append((change.timestampNs, nil)) } else if !result.isEmpty {
                result[result.count - 1].off = change.timestampNs
            }
        }
        return result
    }

    static func decisions(_ inputs: [LineIOInput]) -> [PartDecision] {
        inputs.compactMap { if case .decided(let decision) = $0 { decision } else { nil } }
    }

    static func distance(_ a: UInt64, _ b: UInt64) -> UInt64 { a > b ? a - b : b - a }
}
