import Synchronization

/// A request from another thread (capture, inference, the service) to the line I/O loop.
public enum LineIOCommand: Sendable, Hashable {
    /// A part was captured at `captureNs` (monotonic ns) and will pass the ejector of `rejectLine`.
    case register(PartID, captureNs: UInt64, rejectLine: Int)
    /// The inspection's verdict for a registered part.
    case resolve(PartID, Verdict)
    case setStatus(StatusMode)
}

/// The loop's inbox: any thread pushes, the loop drains at every turn (at least every
/// `maximumIdleNs`). A `Mutex` around an array: an empty drain costs the lock only; a drain
/// that returns commands hands over the array and starts a new one.
public final class LineIOCommandQueue: Sendable {
    private let pending = Mutex<[LineIOCommand]>([])

    public init() {}

    public func push(_ command: LineIOCommand) {
        pending.withLock { $0.append(command) }
    }

    /// Everything pushed so far, oldest first.
    public func drain() -> [LineIOCommand] {
        pending.withLock { commands in
            guard !commands.isEmpty else { return [] }
            defer { commands = [] }
            return commands
        }
    }
}
