import SystemPackage

/// Everything that can go wrong on the line I/O side. Each description is one line naming the chip
/// or line, the operation and the errno text.
public enum LineIOError: Error, Equatable, CustomStringConvertible {
    /// Opening a chip failed (libgpiod v1: `gpiod_chip_open_by_name` / `_by_label` / `gpiod_chip_open`).
    case chipOpen(ChipSelector, errno: Errno)
    /// Listing the system's chips failed (libgpiod v1: `gpiod_chip_iter_new`).
    case chipList(errno: Errno)
    /// Reading a line's information failed (libgpiod v1: `gpiod_chip_get_line`).
    case lineInfo(LineAddress, errno: Errno)
    /// Requesting a line failed (libgpiod v1: `gpiod_line_request_*_flags`).
    case lineRequest(LineAddress, consumer: String, output: Bool, errno: Errno)
    /// Driving an output failed (libgpiod v1: `gpiod_line_set_value`).
    case lineSet(LineAddress, value: Bool, errno: Errno)
    /// Reading a line failed (libgpiod v1: `gpiod_line_get_value`).
    case lineRead(LineAddress, errno: Errno)
    /// Waiting for edge events failed (`ppoll` on the lines' event descriptors).
    case eventWait(errno: Errno)
    /// Reading a queued edge event failed (libgpiod v1: `gpiod_line_event_read`).
    case eventRead(LineAddress, errno: Errno)
    /// More parts are in flight on one reject line than the configured limit: a part would be lost.
    case tooManyPartsInFlight(rejectLine: Int, limit: Int)
    /// A part was registered twice while in flight.
    case duplicatePart(PartID)
    /// A part named a reject line the configuration does not have.
    case unknownRejectLine(Int, configured: Int)
    /// The line configuration is unusable (same line twice, zero pulse width, ...).
    case invalidConfiguration(String)
    /// The controller is in its fault state (outputs safe) and refuses to actuate.
    case faulted(cause: String)

    public var description: String {
        switch self {
        case .chipOpen(let chip, let errno):
            return "GPIO chip \(chip): open failed: \(errno.lineIOText)"
        case .chipList(let errno):
            return "GPIO chips in /dev: listing failed: \(errno.lineIOText)"
        case .lineInfo(let address, let errno):
            return "GPIO line \(address): reading line info failed: \(errno.lineIOText)"
        case .lineRequest(let address, let consumer, let output, let errno):
            return "GPIO line \(address): request as \(output ? "output" : "input") for \"\(consumer)\" failed: \(errno.lineIOText)"
        case .lineSet(let address, let value, let errno):
            return "GPIO line \(address): setting \(value ? "active" : "inactive") failed: \(errno.lineIOText)"
        case .lineRead(let address, let errno):
            return "GPIO line \(address): reading value failed: \(errno.lineIOText)"
        case .eventWait(let errno):
            return "GPIO edge events: waiting failed: \(errno.lineIOText)"
        case .eventRead(let address, let errno):
            return "GPIO line \(address): reading edge event failed: \(errno.lineIOText)"
        case .tooManyPartsInFlight(let line, let limit):
            return "reject line \(line): more than \(limit) parts in flight, refusing to drop one"
        case .duplicatePart(let part):
            return "\(part): registered twice while in flight"
        case .unknownRejectLine(let line, let configured):
            return "reject line \(line): no such line (\(configured) configured)"
        case .invalidConfiguration(let reason):
            return "line I/O configuration: \(reason)"
        case .faulted(let cause):
            return "line I/O is in its fault state (outputs safe) after: \(cause)"
        }
    }
}

extension Errno {
    /// "Device or resource busy (errno 16)": strerror text plus the number, for one-line messages.
    var lineIOText: String { "\(description) (errno \(rawValue))" }
}
