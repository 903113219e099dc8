import Capture
import Imaging
import LineIO
import Logging
import Platform

/// The service's three sides (capture, line I/O, inspection) turned by hand on one thread, on any
/// clock: the same `CaptureWorker`, `LineWorker` and `InspectionLoop` that `ServiceRunner` runs on
/// real threads, so tests on a `VirtualClock` with the fake V4L2 kernel and the fake line driver
/// exercise the runner's own logic deterministically (a camera faster than the inspection is one
/// that gets more capture steps than inspection turns).
public final class ServiceStepper {
    public let core: ServiceCore
    public let mailbox: FrameMailbox
    let inbox = ServiceInbox()
    let capture: CaptureWorker
    let line: LineWorker
    let loop: InspectionLoop
    /// The last status snapshot published.
    public private(set) var status: StatusReport?

    public init(core: ServiceCore, environment: ServiceRunner.Environment, clock: any MonotonicClock, logger: Logger) {
        self.core = core
        mailbox = FrameMailbox(pacing: environment.pacing, news: inbox.news)
        capture = CaptureWorker(makeSource: environment.makeSource, mailbox: mailbox, clock: clock,
                                frameTimeout: environment.frameTimeout, faultAfter: environment.faultAfter,
                                regionOfInterest: environment.regionOfInterest, overviewEvery: environment.overviewEvery,
                                logger: logger, post: inbox.post)
        line = LineWorker(inbox: inbox, clock: clock, logger: logger, mailbox: mailbox)
        loop = InspectionLoop(core: core, inbox: inbox, mailbox: mailbox, clock: clock, logger: logger,
                              maximumFrames: environment.maximumFrames, onTurn: environment.onTurn)
        let capture = self.capture
        loop.cameraFigures = { (capture.reconnects, capture.failures) }
        loop.publish = { [unowned self] report in self.status = report }
        guard line.start(driver: environment.makeLineDriver(), configuration: environment.lineConfiguration) else { return }
        loop.push(core.start())
    }

    /// Whether the line I/O started (false: see `lineFailure`).
    public var lineFailure: String? { inbox.lineIOFailure }

    /// One frame (or one failure) from the source into the mailbox. False at the end of a replay.
    @discardableResult
    public func captureStep() -> Bool { capture.step() }

    /// One turn of the line I/O loop (the fake driver's wait advances a virtual clock).
    @discardableResult
    public func lineStep() -> Bool { line.step() }

    /// One inspection turn. False once the loop is done (limit, end of stream, line fault).
    @discardableResult
    public func inspectionTurn() -> Bool { loop.turn() != .done }

    /// The status light's pattern, as the line I/O drives it.
    public var statusMode: StatusMode? { line.statusMode }

    /// Whether the camera is reported lost right now.
    public var cameraIsLost: Bool { capture.isLost }

    /// Stops: outputs safe, lines released, source closed.
    public func shutdown() {
        capture.stop()
        line.shutdown()
    }
}
