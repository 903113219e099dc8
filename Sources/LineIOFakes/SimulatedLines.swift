import LineIO
import Platform
import Synchronization

/// A thread-safe stand-in for the GPIO chips, for the demo and the service tests: the line I/O
/// thread drives it like real lines while another thread presses buttons and reads outputs.
/// Every output change is reported to `onChange` (the demo prints them with their times). Like
/// the kernel's line requests, a wait for edges sleeps until an edge or its timeout, not in naps,
/// so the line I/O thread's timing is its own (`now` must be CLOCK_MONOTONIC: `SystemClock`).
public final class SimulatedLines: LineDriver, Sendable {
    public struct Change: Sendable, Hashable {
        public var timestampNs: UInt64
        public var address: LineAddress
        public var consumer: String
        public var active: Bool
    }

    private struct State {
        var outputs: [OutputLineConfig] = []
        var outputValues: [Bool] = []
        var inputs: [InputLineConfig] = []
        var inputLevels: [Bool] = []
        var pending: [LineEvent] = []
        var changes: [Change] = []
    }

    private let state = Mutex(State())
    /// Signalled with every edge (what a poll on a line request's fd sees).
    private let edges = Wakeup()
    private let now: @Sendable () -> UInt64
    private let onChange: @Sendable (Change) -> Void

    public init(now: @escaping @Sendable () -> UInt64, onChange: @escaping @Sendable (Change) -> Void = { _ in }) {
        self.now = now
        self.onChange = onChange
    }

    /// Sets an input's logical level as the kernel would see it, with an edge event stamped now.
    public func setInput(_ address: LineAddress, active: Bool) {
        let time = now()
        state.withLock { s in
            guard let index = s.inputs.firstIndex(where: { $0.address == address }), s.inputLevels[index] != active else { return }
            s.inputLevels[index] = active
            if s.inputs[index].edgeEvents {
                s.pending.append(LineEvent(line: InputLineID(rawValue: index), becameActive: active, timestampNs: time))
            }
        }
        edges.signal()
    }

    /// Output changes so far, in order.
    public var changes: [Change] { state.withLock { $0.changes } }

    /// The current logical value of an output, nil if it was never requested.
    public func value(of address: LineAddress) -> Bool? {
        state.withLock { s in s.outputs.firstIndex { $0.address == address }.map { s.outputValues[$0] } }
    }

    public func requestOutput(_ config: OutputLineConfig, initialValue: Bool) throws(LineIOError) -> OutputLineID {
        state.withLock { s in
            s.outputs.append(config)
            s.outputValues.append(initialValue)
            return OutputLineID(rawValue: s.outputs.count - 1)
        }
    }

    public func requestInput(_ config: InputLineConfig) throws(LineIOError) -> InputLineID {
        state.withLock { s in
            s.inputs.append(config)
            s.inputLevels.append(false)
            return InputLineID(rawValue: s.inputs.count - 1)
        }
    }

    public func set(_ line: OutputLineID, active: Bool) throws(LineIOError) {
        let time = now()
        let change = state.withLock { s -> Change? in
            guard s.outputValues[line.rawValue] != active else { return nil }
            s.outputValues[line.rawValue] = active
            let change = Change(timestampNs: time, address: s.outputs[line.rawValue].address,
                                consumer: s.outputs[line.rawValue].consumer, active: active)
            s.changes.append(change)
            return change
        }
        if let change { onChange(change) }
    }

    public func read(_ line: InputLineID) throws(LineIOError) -> Bool {
        state.withLock { $0.inputLevels[line.rawValue] }
    }

    /// Returns pending edges at once, else sleeps until one comes or `timeoutNs` has passed.
    public func waitForEvents(timeoutNs: UInt64) throws(LineIOError) -> [LineEvent] {
        let deadline = now() &+ timeoutNs
        while true {
            let events = state.withLock { s -> [LineEvent] in defer { s.pending = [] }; return s.pending }
            if !events.isEmpty || now() >= deadline { return events }
            edges.wait(untilNs: deadline)
        }
    }

    public func address(of line: OutputLineID) -> LineAddress { state.withLock { $0.outputs[line.rawValue].address } }

    public func releaseAll() {}
}
