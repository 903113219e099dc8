import Platform

/// Every line lineside drives or reads, and how.
public struct LineIOConfiguration: Sendable {
    /// One ejector: its output line and its timing.
    public struct RejectLine: Sendable {
        public var output: OutputLineConfig
        public var timing: RejectTiming
        public init(output: OutputLineConfig, timing: RejectTiming) {
            self.output = output
            self.timing = timing
        }
    }

    public var rejectLines: [RejectLine]
    public var passLight: OutputLineConfig?
    public var failLight: OutputLineConfig?
    public var statusLight: OutputLineConfig?
    /// The calibration button (long press starts a fit, short press cancels one).
    public var button: InputLineConfig?
    public var debounceNs: UInt64 = Nanoseconds.milliseconds(30)
    public var longPressNs: UInt64 = Nanoseconds.milliseconds(2000)
    /// The optional part-present sensor: its active edge starts a capture.
    public var partTrigger: InputLineConfig?
    public var triggerHoldoffNs: UInt64 = Nanoseconds.milliseconds(5)
    public var failSafe: FailSafePolicy = .reject
    public var resultHoldNs: UInt64 = Nanoseconds.milliseconds(500)
    public var maximumPartsInFlight = 256
    /// Longest time the loop waits without looking at its command queue.
    public var maximumIdleNs: UInt64 = Nanoseconds.milliseconds(2)

    public init(rejectLines: [RejectLine], passLight: OutputLineConfig? = nil, failLight: OutputLineConfig? = nil,
                statusLight: OutputLineConfig? = nil, button: InputLineConfig? = nil,
                partTrigger: InputLineConfig? = nil, failSafe: FailSafePolicy = .reject) {
        self.rejectLines = rejectLines
        self.passLight = passLight
        self.failLight = failLight
        self.statusLight = statusLight
        self.button = button
        self.partTrigger = partTrigger
        self.failSafe = failSafe
    }

    /// Every output, reject lines first.
    public var outputs: [OutputLineConfig] {
        rejectLines.map(\.output) + [passLight, failLight, statusLight].compactMap { $0 }
    }

    /// Checks what the hardware cannot: at least one reject line, positive pulse widths, a long press
    /// longer than the debounce window, no line used twice.
    public func validate() throws(LineIOError) {
        if rejectLines.isEmpty { throw .invalidConfiguration("no reject line configured") }
        for (index, line) in rejectLines.enumerated() where line.timing.pulseWidthNs == 0 {
            throw .invalidConfiguration("reject line \(index) (\(line.output.address)) has a zero pulse width")
        }
        if longPressNs <= debounceNs {
            throw .invalidConfiguration("long press (\(longPressNs) ns) must outlast the debounce window (\(debounceNs) ns)")
        }
        let addresses = outputs.map(\.address) + [button, partTrigger].compactMap { $0?.address }
        var seen = Set<LineAddress>()
        for address in addresses where !seen.insert(address).inserted {
            throw .invalidConfiguration("line \(address) is configured twice")
        }
    }
}
