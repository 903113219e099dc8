import LineIO
import Logging
import Platform

/// The line I/O side of the service, owned by one thread: the only code that touches the GPIO
/// lines. It applies the inspection's commands (register, resolve, status light) and reports
/// presses, trigger edges and decisions to the inbox.
final class LineWorker {
    let inbox: ServiceInbox
    let clock: any MonotonicClock
    let logger: Logger
    /// Told of part-present edges at once, so it keeps the frame that shows the part.
    let mailbox: FrameMailbox?
    private var controller: LineIOController?

    init(inbox: ServiceInbox, clock: any MonotonicClock, logger: Logger, mailbox: FrameMailbox? = nil) {
        self.inbox = inbox
        self.mailbox = mailbox
        self.clock = clock
        self.logger = logger
    }

    /// Requests the lines (outputs at their safe values). False, with the failure in the inbox,
    /// when that fails.
    func start(driver: any LineDriver, configuration: LineIOConfiguration) -> Bool {
        do {
            controller = try LineIOController(driver: driver, configuration: configuration, nowNs: clock.nowNs)
        } catch {
            inbox.failLineIO("\(error)")
            return false
        }
        inbox.lineReady.store(true, ordering: .releasing)
        inbox.news.signal()
        return true
    }

    /// One turn of the line I/O loop (waits for edges until its next deadline, 2 ms at most).
    /// False once the line I/O has faulted.
    @discardableResult
    func step() -> Bool {
        guard let controller else { return false }
        let inputs = controller.runOnce(clock: clock, commands: inbox.commands)
        if let mailbox {
            for case .partPresent(let captureNs) in inputs { mailbox.noteEdge(captureNs) }
        }
        inbox.post(inputs)
        if case .faulted(let cause, _, _) = controller.state {
            inbox.failLineIO("\(cause)")
            return false
        }
        return true
    }

    /// The status light's pattern now (nil before the start or after the shutdown).
    var statusMode: StatusMode? { controller?.statusMode }

    /// Outputs safe, lines released.
    func shutdown() {
        guard let controller else { return }
        for failure in controller.shutdown() { logger.critical("output could not be made safe: \(failure)") }
        self.controller = nil
    }
}
