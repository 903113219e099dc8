import LineIO
import Platform
import PlatformFakes
import SystemPackage

/// A `LineDriver` that plays the kernel: it records every request and every change of every line
/// with the virtual clock's time, delivers input edges injected for given times, and fails chosen
/// operations with a chosen errno. Used by the tests and by `lineside demo`.
public final class FakeLineDriver: LineDriver {
    /// The operations a failure can be injected into.
    public enum Operation: Sendable, Hashable {
        case requestOutput, requestInput, set, read, waitForEvents
    }

    /// One recorded change of an output's logical value.
    public struct Change: Sendable, Hashable, CustomStringConvertible {
        public var timestampNs: UInt64
        public var address: LineAddress
        public var consumer: String
        public var active: Bool
        /// The pin level: `active` after active-low.
        public var pinHigh: Bool

        public var description: String {
            "\(timestampNs) ns \(consumer) (\(address)) -> \(active ? "active" : "inactive") (pin \(pinHigh ? "high" : "low"))"
        }
    }

    struct Output {
        var config: OutputLineConfig
        var value: Bool
        var released = false
    }

    struct Input {
        var config: InputLineConfig
        var level: Bool
        var released = false
    }

    struct Failure {
        var operation: Operation
        var address: LineAddress?
        var errno: Errno
        var remaining: Int
    }

    /// Usually a `VirtualClock`; a `SystemClock` makes the fake measure real timing.
    public let clock: any MonotonicClock
    /// Every output change, in time order, including the initial value at request time.
    public private(set) var changes: [Change] = []
    var outputs: [Output] = []
    var inputs: [Input] = []
    var pendingEdges: [(address: LineAddress, becameActive: Bool, atNs: UInt64)] = []
    var failures: [Failure] = []

    public init(clock: any MonotonicClock) {
        self.clock = clock
    }

    // MARK: Test controls

    /// Makes the next `times` calls of `operation` (on `address`, or on any line) fail with `errno`.
    public func fail(_ operation: Operation, on address: LineAddress? = nil, errno: Errno, times: Int = 1) {
        failures.append(Failure(operation: operation, address: address, errno: errno, remaining: times))
    }

    /// Queues an edge on an input line for time `atNs` (the kernel timestamp it will carry).
    public func injectEdge(on address: LineAddress, becameActive: Bool, atNs: UInt64) {
        pendingEdges.append((address, becameActive, atNs))
        pendingEdges.sort { $0.atNs < $1.atNs }
    }

    /// Sets an input's level without an edge event (the level before anything happens).
    public func setLevel(of address: LineAddress, active: Bool) {
        for i in inputs.indices where inputs[i].config.address == address { inputs[i].level = active }
    }

    /// The current logical value of the output at `address` (nil if never requested).
    public func value(of address: LineAddress) -> Bool? {
        outputs.last { $0.config.address == address }?.value
    }

    /// Whether every output requested so far stands at its safe value.
    public var allOutputsSafe: Bool {
        outputs.allSatisfy { $0.value == $0.config.safeValue }
    }

    /// Addresses of lines currently requested (not released).
    public var requestedAddresses: [LineAddress] {
        outputs.filter { !$0.released }.map(\.config.address) + inputs.filter { !$0.released }.map(\.config.address)
    }

    /// The recorded changes of one output.
    public func changes(of address: LineAddress) -> [Change] {
        changes.filter { $0.address == address }
    }

    // MARK: LineDriver

    public func requestOutput(_ config: OutputLineConfig, initialValue: Bool) throws(LineIOError) -> OutputLineID {
        if let errno = takeFailure(.requestOutput, config.address) {
            throw .lineRequest(config.address, consumer: config.consumer, output: true, errno: errno)
        }
        try checkFree(config.address, consumer: config.consumer, output: true)
        outputs.append(Output(config: config, value: initialValue))
        record(config, initialValue)
        return OutputLineID(rawValue: outputs.count - 1)
    }

    public func requestInput(_ config: InputLineConfig) throws(LineIOError) -> InputLineID {
        if let errno = takeFailure(.requestInput, config.address) {
            throw .lineRequest(config.address, consumer: config.consumer, output: false, errno: errno)
        }
        try checkFree(config.address, consumer: config.consumer, output: false)
        inputs.append(Input(config: config, level: false))
        return InputLineID(rawValue: inputs.count - 1)
    }

    public func set(_ line: OutputLineID, active: Bool) throws(LineIOError) {
        let output = outputs[line.rawValue]
        precondition(!output.released, "set on a released line \(output.config.address)")
        if let errno = takeFailure(.set, output.config.address) {
            throw .lineSet(output.config.address, value: active, errno: errno)
        }
        guard output.value != active else { return }
        outputs[line.rawValue].value = active
        record(output.config, active)
    }

    public func read(_ line: InputLineID) throws(LineIOError) -> Bool {
        let input = inputs[line.rawValue]
        if let errno = takeFailure(.read, input.config.address) {
            throw .lineRead(input.config.address, errno: errno)
        }
        return input.level
    }

    /// Sleeps on the clock until the first injected edge or the timeout (a `VirtualClock` jumps there,
    /// plus its wake latency), and returns the edges due by then on requested edge inputs.
    public func waitForEvents(timeoutNs: UInt64) throws(LineIOError) -> [LineEvent] {
        if let errno = takeFailure(.waitForEvents, nil) { throw .eventWait(errno: errno) }
        let deadline = clock.nowNs + timeoutNs
        let watched = pendingEdges.filter { edge in inputs.contains { !$0.released && $0.config.edgeEvents && $0.config.address == edge.address } }
        if let first = watched.first, first.atNs <= deadline {
            clock.sleep(untilNs: first.atNs)
        } else {
            clock.sleep(untilNs: deadline)
        }
        let now = clock.nowNs
        var events: [LineEvent] = []
        var kept: [(address: LineAddress, becameActive: Bool, atNs: UInt64)] = []
        for edge in pendingEdges {
            if edge.atNs <= now,
               let index = inputs.lastIndex(where: { !$0.released && $0.config.edgeEvents && $0.config.address == edge.address }) {
                inputs[index].level = edge.becameActive
                events.append(LineEvent(line: InputLineID(rawValue: index), becameActive: edge.becameActive,
                                        timestampNs: edge.atNs))
            } else {
                kept.append(edge)
            }
        }
        pendingEdges = kept
        return events
    }

    public func address(of line: OutputLineID) -> LineAddress {
        outputs[line.rawValue].config.address
    }

    public func releaseAll() {
        for i in outputs.indices { outputs[i].released = true }
        for i in inputs.indices { inputs[i].released = true }
    }

    // MARK: Internals

    private func record(_ config: OutputLineConfig, _ active: Bool) {
        changes.append(Change(timestampNs: clock.nowNs, address: config.address, consumer: config.consumer,
                              active: active, pinHigh: active != config.activeLow))
    }

    private func checkFree(_ address: LineAddress, consumer: String, output: Bool) throws(LineIOError) {
        let busy = outputs.contains { !$0.released && $0.config.address == address }
            || inputs.contains { !$0.released && $0.config.address == address }
        if busy { throw .lineRequest(address, consumer: consumer, output: output, errno: .resourceBusy) }
    }

    private func takeFailure(_ operation: Operation, _ address: LineAddress?) -> Errno? {
        guard let index = failures.firstIndex(where: {
            $0.operation == operation && $0.remaining > 0 && ($0.address == nil || $0.address == address)
        }) else { return nil }
        failures[index].remaining -= 1
        return failures[index].errno
    }
}
