/// A requested output line, as handed out by a `LineDriver`. Only meaningful to the driver that made it.
public struct OutputLineID: Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
}

/// A requested input line, as handed out by a `LineDriver`.
public struct InputLineID: Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
}

/// One edge on an input line, with the kernel's timestamp.
public struct LineEvent: Sendable, Hashable {
    public var line: InputLineID
    /// The line became active (logical rising edge; active-low already applied by the kernel).
    public var becameActive: Bool
    /// Kernel timestamp, ns on the monotonic clock.
    public var timestampNs: UInt64

    public init(line: InputLineID, becameActive: Bool, timestampNs: UInt64) {
        self.line = line
        self.becameActive = becameActive
        self.timestampNs = timestampNs
    }
}

/// The GPIO lines as the rest of lineside sees them. The driver owns every request it hands out
/// and releases them all in `releaseAll()` and in its deinit.
///
/// Implementations: `GPIODLineDriver` (LineIOGPIOD, libgpiod) and `FakeLineDriver` (LineIOFakes).
/// A driver is used from one thread: the line I/O loop.
public protocol LineDriver: AnyObject {
    /// Requests an output, driven to `initialValue` from the first instant (no glitch to the other level).
    func requestOutput(_ config: OutputLineConfig, initialValue: Bool) throws(LineIOError) -> OutputLineID
    /// Requests an input; with `config.edgeEvents` its edges are queued for `waitForEvents`.
    func requestInput(_ config: InputLineConfig) throws(LineIOError) -> InputLineID
    /// Drives an output to a logical value.
    func set(_ line: OutputLineID, active: Bool) throws(LineIOError)
    /// Reads an input's logical value.
    func read(_ line: InputLineID) throws(LineIOError) -> Bool
    /// Waits up to `timeoutNs` for edges on the inputs requested with edge events and returns those
    /// queued, oldest first (empty on timeout). With no such input it just waits for the timeout.
    func waitForEvents(timeoutNs: UInt64) throws(LineIOError) -> [LineEvent]
    /// The address an output was requested at (for messages).
    func address(of line: OutputLineID) -> LineAddress
    /// Releases every line this driver requested.
    func releaseAll()
}
