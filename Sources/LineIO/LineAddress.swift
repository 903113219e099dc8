/// Which GPIO chip a line lives on. Lines are never addressed by global GPIO numbers: those move
/// between kernels and boards, while a chip's label ("pinctrl-bcm2711", "pinctrl-rp1") and a line's
/// offset on it do not.
public enum ChipSelector: Sendable, Hashable, CustomStringConvertible {
    /// The device name, opened as /dev/<name> (libgpiod v1: `gpiod_chip_open_by_name`).
    case name(String)
    /// The chip label the driver reports (libgpiod v1: `gpiod_chip_open_by_label`).
    case label(String)
    /// A device path such as /dev/gpiochip0 (libgpiod v1: `gpiod_chip_open`).
    case path(String)

    public var description: String {
        switch self {
        case .name(let name): return name
        case .label(let label): return "label=\(label)"
        case .path(let path): return path
        }
    }

    /// Parses the `description` form back: "/dev/gpiochip0" is a path, "label=pinctrl-rp1" a label,
    /// anything else a name. Nil for an empty text.
    public init?(parsing text: some StringProtocol) {
        guard !text.isEmpty else { return nil }
        if text.hasPrefix("/") {
            self = .path(String(text))
        } else if text.hasPrefix("label=") {
            let label = text.dropFirst("label=".count)
            guard !label.isEmpty else { return nil }
            self = .label(String(label))
        } else {
            self = .name(String(text))
        }
    }
}

/// One GPIO line: a chip and the line's offset on that chip.
public struct LineAddress: Sendable, Hashable, CustomStringConvertible {
    public var chip: ChipSelector
    public var offset: UInt32

    public init(chip: ChipSelector, offset: UInt32) {
        self.chip = chip
        self.offset = offset
    }

    /// "gpiochip0:17", "label=pinctrl-bcm2711:17", "/dev/gpiochip0:17".
    public var description: String { "\(chip):\(offset)" }

    /// Parses the `description` form: chip selector, a colon, the decimal offset.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"),
              let offset = UInt32(text[text.index(after: colon)...]),
              let chip = ChipSelector(parsing: text[..<colon]) else { return nil }
        self.init(chip: chip, offset: offset)
    }
}
