/// One line of a chip as the kernel reports it (nothing requested), for `lineside probe`.
public struct GPIOLineInfo: Sendable, Hashable {
    public enum Direction: Sendable, Hashable { case input, output }
    public var offset: UInt32
    /// Empty when the line has no name.
    public var name: String
    /// Empty when the line is free.
    public var consumer: String
    public var direction: Direction
    public var activeLow: Bool
    public var used: Bool

    public init(offset: UInt32, name: String, consumer: String, direction: Direction, activeLow: Bool, used: Bool) {
        self.offset = offset
        self.name = name
        self.consumer = consumer
        self.direction = direction
        self.activeLow = activeLow
        self.used = used
    }
}

/// One GPIO chip and its lines.
public struct GPIOChipInfo: Sendable, Hashable {
    /// "gpiochip0": the device name under /dev.
    public var name: String
    /// "pinctrl-bcm2711": what `ChipSelector.label` matches.
    public var label: String
    public var lines: [GPIOLineInfo]

    public init(name: String, label: String, lines: [GPIOLineInfo]) {
        self.name = name
        self.label = label
        self.lines = lines
    }

    /// gpioinfo-like text: a header per chip, then one row per line.
    ///
    ///     gpiochip0 [pinctrl-bcm2711] (58 lines)
    ///       line  17: "GPIO17"  unused                input
    ///       line  18: "GPIO18"  "lineside-reject-0"   output active-low
    public static func render(_ chips: [GPIOChipInfo]) -> String {
        guard !chips.isEmpty else { return "GPIO: no chips found (no /dev/gpiochip* device)\n" }
        var text = ""
        for chip in chips {
            text += "\(chip.name) [\(chip.label)] (\(chip.lines.count) lines)\n"
            for line in chip.lines {
                let offset = String(line.offset)
                let name = line.name.isEmpty ? "unnamed" : "\"\(line.name)\""
                let consumer = line.consumer.isEmpty ? (line.used ? "kernel" : "unused") : "\"\(line.consumer)\""
                var row = "  line " + String(repeating: " ", count: max(0, 3 - offset.count)) + offset + ": "
                row += pad(name, 18) + pad(consumer, 22)
                row += line.direction == .output ? "output" : "input"
                if line.activeLow { row += " active-low" }
                text += row + "\n"
            }
        }
        return text
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
