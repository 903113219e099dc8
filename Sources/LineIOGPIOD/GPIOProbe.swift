import CGPIOD
import Glibc
import LineIO
import SystemPackage

/// `lineside probe`'s GPIO part: every chip in /dev with every line's name, consumer and direction,
/// read without requesting anything (libgpiod v1: `gpiod_chip_iter_*`, `gpiod_chip_get_line`,
/// `gpiod_line_name` / `_consumer` / `_direction` / `_active_state`).
public enum GPIOProbe {
    /// All chips, in /dev order. Empty on a machine without GPIO chips.
    public static func chips() throws(LineIOError) -> [GPIOChipInfo] {
        guard let list = ls_gpio_chip_list_open() else { throw .chipList(errno: Errno(rawValue: Glibc.errno)) }
        defer { ls_gpio_chip_list_close(list) }
        var chips: [GPIOChipInfo] = []
        while let chip = ls_gpio_chip_list_next(list) {
            chips.append(try info(chip))
        }
        return chips
    }

    /// One chip, opened by any selector.
    public static func chip(_ selector: ChipSelector) throws(LineIOError) -> GPIOChipInfo {
        let chip = try GPIODChip(selector)
        return try info(chip.handle)
    }

    /// The rendered text for `lineside probe` (see `GPIOChipInfo.render`), or the error's line.
    public static func report() -> String {
        do {
            return "GPIO (\(GPIODLineDriver.apiDescription)):\n" + GPIOChipInfo.render(try chips())
        } catch {
            return "GPIO (\(GPIODLineDriver.apiDescription)): \(error)\n"
        }
    }

    static func info(_ chip: OpaquePointer) throws(LineIOError) -> GPIOChipInfo {
        let name = String(cString: ls_gpio_chip_name(chip))
        let label = String(cString: ls_gpio_chip_label(chip))
        var lines: [GPIOLineInfo] = []
        for offset in 0..<ls_gpio_chip_line_count(chip) {
            var raw = ls_gpio_line_info()
            guard ls_gpio_chip_line_info(chip, offset, &raw) == 0 else {
                throw .lineInfo(LineAddress(chip: .name(name), offset: offset), errno: Errno(rawValue: Glibc.errno))
            }
            lines.append(GPIOLineInfo(offset: offset, name: text(raw.name), consumer: text(raw.consumer),
                                      direction: raw.direction == LS_GPIO_DIRECTION_OUTPUT ? .output : .input,
                                      activeLow: raw.active_low, used: raw.used))
        }
        return GPIOChipInfo(name: name, label: label, lines: lines)
    }

    /// A fixed-size C char array (imported as a tuple) as a String.
    static func text<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { bytes in
            let prefix = bytes.prefix { $0 != 0 }
            return String(decoding: prefix, as: UTF8.self)
        }
    }
}
