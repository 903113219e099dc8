import CGPIOD
import Glibc
import LineIO
import Platform
import SystemPackage

/// The real `LineDriver`: libgpiod through the CGPIOD shim (v1 API on bookworm).
///
/// Owns every chip it opened and every line it requested; `releaseAll()` and deinit release them.
/// Used from the line I/O loop's thread only.
public final class GPIODLineDriver: LineDriver {
    /// Shown by the kernel for lines requested without their own consumer name.
    public let defaultConsumer: String
    var chips: [ChipSelector: GPIODChip] = [:]
    var outputs: [GPIODLineRequest] = []
    var inputs: [GPIODLineRequest] = []
    /// Inputs requested with edge events, with their event file descriptors.
    var edgeInputs: [InputLineID] = []
    /// Their event file descriptors, and a buffer for which are readable (kept to avoid allocating
    /// on every turn of the loop).
    var eventFDs: [Int32] = []
    var readable: [Bool] = []

    public init(defaultConsumer: String = "lineside") {
        self.defaultConsumer = defaultConsumer
    }

    deinit { releaseAll() }

    /// "libgpiod 1.6.3 (v1 API)": which libgpiod implementation the shim was built on.
    public static var apiDescription: String { String(cString: ls_gpio_api_description()) }

    func chip(_ selector: ChipSelector) throws(LineIOError) -> GPIODChip {
        if let chip = chips[selector] { return chip }
        let chip = try GPIODChip(selector)
        chips[selector] = chip
        return chip
    }

    public func requestOutput(_ config: OutputLineConfig, initialValue: Bool) throws(LineIOError) -> OutputLineID {
        let chip = try chip(config.address.chip)
        let consumer = config.consumer.isEmpty ? defaultConsumer : config.consumer
        guard let handle = ls_gpio_request_output(chip.handle, config.address.offset, consumer, config.activeLow,
                                                  initialValue ? 1 : 0) else {
            throw .lineRequest(config.address, consumer: consumer, output: true, errno: Errno(rawValue: Glibc.errno))
        }
        outputs.append(GPIODLineRequest(handle: handle, chip: chip, address: config.address))
        return OutputLineID(rawValue: outputs.count - 1)
    }

    public func requestInput(_ config: InputLineConfig) throws(LineIOError) -> InputLineID {
        let chip = try chip(config.address.chip)
        let consumer = config.consumer.isEmpty ? defaultConsumer : config.consumer
        let bias: ls_gpio_bias = switch config.bias {
        case .asIs: LS_GPIO_BIAS_AS_IS
        case .disabled: LS_GPIO_BIAS_DISABLED
        case .pullUp: LS_GPIO_BIAS_PULL_UP
        case .pullDown: LS_GPIO_BIAS_PULL_DOWN
        }
        guard let handle = ls_gpio_request_input(chip.handle, config.address.offset, consumer, config.activeLow,
                                                 bias, config.edgeEvents) else {
            throw .lineRequest(config.address, consumer: consumer, output: false, errno: Errno(rawValue: Glibc.errno))
        }
        inputs.append(GPIODLineRequest(handle: handle, chip: chip, address: config.address))
        let id = InputLineID(rawValue: inputs.count - 1)
        if config.edgeEvents {
            edgeInputs.append(id)
            eventFDs.append(ls_gpio_event_fd(handle))
            readable.append(false)
        }
        return id
    }

    /// libgpiod v1: `gpiod_line_set_value`.
    public func set(_ line: OutputLineID, active: Bool) throws(LineIOError) {
        let request = outputs[line.rawValue]
        precondition(!request.released, "set on released line \(request.address)")
        if ls_gpio_set(request.handle, active ? 1 : 0) != 0 {
            throw .lineSet(request.address, value: active, errno: Errno(rawValue: Glibc.errno))
        }
    }

    /// libgpiod v1: `gpiod_line_get_value`.
    public func read(_ line: InputLineID) throws(LineIOError) -> Bool {
        let request = inputs[line.rawValue]
        let value = ls_gpio_get(request.handle)
        if value < 0 { throw .lineRead(request.address, errno: Errno(rawValue: Glibc.errno)) }
        return value != 0
    }

    /// `ppoll` on the edge inputs' event descriptors, then `gpiod_line_event_read` for each queued
    /// event. Interrupted calls are retried (Platform's `valueOrErrno`); the service blocks its
    /// signals, so that is rare.
    public func waitForEvents(timeoutNs: UInt64) throws(LineIOError) -> [LineEvent] {
        let ready: Int32
        do { ready = try valueOrErrno { ls_gpio_poll(eventFDs, Int32(eventFDs.count), timeoutNs, &readable) } } catch {
            throw .eventWait(errno: error)
        }
        guard ready > 0 else { return [] }
        var events: [LineEvent] = []
        for (index, line) in edgeInputs.enumerated() where readable[index] {
            let request = inputs[line.rawValue]
            // Drain what is queued now, a bounded number per turn.
            for _ in 0..<64 {
                var raw = ls_gpio_event()
                do { _ = try valueOrErrno { ls_gpio_read_event(request.handle, &raw) } } catch {
                    throw .eventRead(request.address, errno: error)
                }
                events.append(LineEvent(line: line, becameActive: raw.rising, timestampNs: raw.timestamp_ns))
                if ls_gpio_wait_event(request.handle, 0) != 1 { break }
            }
        }
        if edgeInputs.count > 1 { events.sort { $0.timestampNs < $1.timestampNs } }
        return events
    }

    public func address(of line: OutputLineID) -> LineAddress { outputs[line.rawValue].address }

    public func releaseAll() {
        for request in outputs { request.release() }
        for request in inputs { request.release() }
        edgeInputs.removeAll()
        eventFDs.removeAll()
        readable.removeAll()
    }
}
