import CGPIOD
import Glibc
import LineIO
import SystemPackage

/// An open GPIO chip; closed in deinit (libgpiod v1: `gpiod_chip_open_by_*` / `gpiod_chip_close`).
///
/// Not Sendable: the handle is used by the line I/O loop's thread only.
final class GPIODChip {
    let handle: OpaquePointer
    let selector: ChipSelector

    init(_ selector: ChipSelector) throws(LineIOError) {
        let (by, identifier): (ls_gpio_chip_by, String) = switch selector {
        case .name(let name): (LS_GPIO_CHIP_BY_NAME, name)
        case .label(let label): (LS_GPIO_CHIP_BY_LABEL, label)
        case .path(let path): (LS_GPIO_CHIP_BY_PATH, path)
        }
        guard let handle = ls_gpio_chip_open(by, identifier) else {
            throw .chipOpen(selector, errno: Errno(rawValue: Glibc.errno))
        }
        self.handle = handle
        self.selector = selector
    }

    deinit { ls_gpio_chip_close(handle) }
}

/// One requested line; released in deinit (libgpiod v1: `gpiod_line_release`). Keeps its chip open.
final class GPIODLineRequest {
    let handle: OpaquePointer
    let chip: GPIODChip
    let address: LineAddress
    private(set) var released = false

    init(handle: OpaquePointer, chip: GPIODChip, address: LineAddress) {
        self.handle = handle
        self.chip = chip
        self.address = address
    }

    func release() {
        guard !released else { return }
        ls_gpio_release(handle)
        released = true
    }

    deinit { release() }
}
