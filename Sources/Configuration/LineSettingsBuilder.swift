import LineIO

/// Builds the `LineIOConfiguration` from [lines], [[reject]] and the light, button and trigger
/// sections: resolves each line's chip (its own or [lines] chip), and refuses a line used twice.
/// Two different selectors for one physical line (gpiochip0:17 and label=pinctrl-bcm2711:17) are only
/// found when the lines are requested: naming every chip the same way avoids that.
struct LineSettingsBuilder {
    let builder: ConfigurationBuilder
    private var used: [LineAddress: (section: String, line: Int?)] = [:]

    init(builder: ConfigurationBuilder) { self.builder = builder }

    mutating func build() throws(ConfigError) -> LineIOConfiguration {
        let lines = builder.section("lines")
        let defaultChip = try lines.optionalString("chip").map { (text) throws(ConfigError) in
            try chipSelector(text, section: "[lines]", line: lines.line(of: "chip"))
        }
        let rejectSections = builder.sections["reject"] ?? []
        guard !rejectSections.isEmpty else {
            throw builder.fail(nil, .missingSection("[[reject]]", reason: "at least one reject line, the ejector output, is required"))
        }
        var rejectLines: [LineIOConfiguration.RejectLine] = []
        for (index, section) in rejectSections.enumerated() {
            let output = try output(section, consumer: "lineside-reject-\(index)", defaultChip: defaultChip)
            let timing = RejectTiming(delayNs: section.nanoseconds("delay_ms"), pulseWidthNs: section.nanoseconds("pulse_ms"),
                                      minimumGapNs: section.nanoseconds("min_gap_ms"))
            rejectLines.append(LineIOConfiguration.RejectLine(output: output, timing: timing))
        }
        var configuration = LineIOConfiguration(
            rejectLines: rejectLines,
            passLight: try optionalOutput("pass_light", consumer: "lineside-pass-light", defaultChip: defaultChip),
            failLight: try optionalOutput("fail_light", consumer: "lineside-fail-light", defaultChip: defaultChip),
            statusLight: try optionalOutput("status_light", consumer: "lineside-status-light", defaultChip: defaultChip),
            button: try optionalInput("button", consumer: "lineside-button", defaultChip: defaultChip),
            partTrigger: try optionalInput("part_trigger", consumer: "lineside-part-trigger", defaultChip: defaultChip),
            failSafe: lines.string("fail_safe") == "pass" ? .pass : .reject)
        let debounce = lines.int("debounce_ms"), longPress = lines.int("long_press_ms")
        guard longPress > debounce else {
            throw builder.fail(lines.line(of: lines.has("long_press_ms") ? "long_press_ms" : "debounce_ms"),
                               .longPressTooShort(longPressMs: longPress, debounceMs: debounce))
        }
        configuration.debounceNs = lines.nanoseconds("debounce_ms")
        configuration.longPressNs = lines.nanoseconds("long_press_ms")
        configuration.triggerHoldoffNs = lines.nanoseconds("trigger_holdoff_ms")
        configuration.resultHoldNs = lines.nanoseconds("result_hold_ms")
        configuration.maximumPartsInFlight = lines.int("max_parts_in_flight")
        do {
            try configuration.validate()
        } catch {
            throw builder.fail(nil, .invalid(error.description))
        }
        return configuration
    }

    private mutating func optionalOutput(_ name: String, consumer: String,
                                         defaultChip: ChipSelector?) throws(ConfigError) -> OutputLineConfig? {
        guard let section = builder.sections[name]?.first else { return nil }
        return try output(section, consumer: consumer, defaultChip: defaultChip)
    }

    private mutating func output(_ section: CheckedSection, consumer: String,
                                 defaultChip: ChipSelector?) throws(ConfigError) -> OutputLineConfig {
        OutputLineConfig(address: try address(section, defaultChip: defaultChip), consumer: consumer,
                         activeLow: section.bool("active_low"), safeValue: false)
    }

    private mutating func optionalInput(_ name: String, consumer: String,
                                        defaultChip: ChipSelector?) throws(ConfigError) -> InputLineConfig? {
        guard let section = builder.sections[name]?.first else { return nil }
        return InputLineConfig(address: try address(section, defaultChip: defaultChip), consumer: consumer,
                               activeLow: section.bool("active_low"), bias: Self.bias(section.string("bias")),
                               edgeEvents: true)
    }

    static func bias(_ name: String) -> LineBias {
        switch name {
        case "pull-up": .pullUp
        case "pull-down": .pullDown
        case "disable": .disabled
        default: .asIs
        }
    }

    /// The section's chip (or the default one) and offset; each address may appear once.
    private mutating func address(_ section: CheckedSection, defaultChip: ChipSelector?) throws(ConfigError) -> LineAddress {
        let chip: ChipSelector
        if let text = section.optionalString("chip") {
            chip = try chipSelector(text, section: section.displayName, line: section.line(of: "chip"))
        } else if let defaultChip {
            chip = defaultChip
        } else {
            throw builder.fail(section.line, .missingKey(key: "chip", section: section.displayName,
                                                         reason: "no chip here and no [lines] chip to fall back on"))
        }
        guard let offset = section.optionalInt("offset") else {
            throw builder.fail(section.line, .missingKey(key: "offset", section: section.displayName,
                                                         reason: "every line needs its offset on the chip"))
        }
        let address = LineAddress(chip: chip, offset: UInt32(offset))
        if let first = used[address] {
            throw builder.fail(section.line(of: "offset"),
                               .lineUsedTwice(line: address.description, section: section.displayName,
                                              firstSection: first.section, firstLine: first.line))
        }
        used[address] = (section.displayName, section.line(of: "offset"))
        return address
    }

    /// A chip selector as `ChipSelector(parsing:)` reads it, refusing what can name no chip.
    private func chipSelector(_ text: String, section: String, line: Int?) throws(ConfigError) -> ChipSelector {
        if let reason = Self.chipProblem(text) {
            throw builder.fail(line, .badChip(text, section: section, reason: reason))
        }
        guard let selector = ChipSelector(parsing: text) else {
            throw builder.fail(line, .badChip(text, section: section, reason: "not a chip selector"))
        }
        return selector
    }

    /// Why `text` names no chip, or nil when it is a usable selector.
    static func chipProblem(_ text: String) -> String? {
        if text.isEmpty { return "empty (write gpiochipN, label=LABEL or /dev/gpiochipN)" }
        if text.hasPrefix("/") {
            return text.hasPrefix("/dev/") && text.count > 5 ? nil : "a chip path is a device under /dev, such as /dev/gpiochip0"
        }
        if text.hasPrefix("label=") {
            return text.count > 6 ? nil : "label= needs the chip's label, such as label=pinctrl-bcm2711"
        }
        if text.contains(":") { return "a chip has no \":offset\" part: write the line's number as offset = N" }
        if text.unicodeScalars.contains(where: { $0 == "/" || $0.properties.isWhitespace || $0.value < 0x20 }) {
            return "a chip name is a device name such as gpiochip0"
        }
        return nil
    }
}
