import Capture
import Configuration
import LineIO
import Logging
import Platform

/// The inspection side of the service, one turn at a time: takes line inputs and camera news,
/// turns frames into parts, pairs part-present edges with frames, does a slice of calibration work,
/// and publishes the status. `ServiceRunner` turns it on its own thread and waits for news between
/// turns; `ServiceStepper` turns it in step with the other two sides on a virtual clock.
///
/// Frame semantics:
/// - free-running: a frame is a sample of the line. Each frame taken from the mailbox is a part;
///   a frame the mailbox dropped because the inspection was busy is counted (status, a log line
///   per status interval) and is never a part, so it can never fire the reject line;
/// - part-present: each trigger edge is a part. The first frame exposed after the edge is inspected
///   for it; an edge that gets no frame within `triggerFrameWindowNs` is registered and decided by
///   the fail-safe policy. Frames with no edge before them are not parts.
final class InspectionLoop {
    enum Turn: Equatable {
        /// Something was done; turn again at once.
        case busy
        /// Nothing to do before `untilNs` unless news comes.
        case idle(untilNs: UInt64)
        /// End of a finite stream, frame limit reached, or a line I/O fault.
        case done
    }

    /// How long a part-present edge waits for its frame before the fail-safe policy takes it.
    static let triggerFrameWindowNs: UInt64 = 1_000_000_000
    /// Edges waiting for frames beyond this are decided at once (a chattering sensor).
    static let maximumPendingTriggers = 1024

    let core: ServiceCore
    let inbox: ServiceInbox
    let mailbox: FrameMailbox
    let clock: any MonotonicClock
    let logger: Logger
    let maximumFrames: Int?
    let onTurn: (ServiceCore, UInt64) -> Void
    /// Receives each status snapshot (the status writer's thread, or a test).
    var publish: (StatusReport) -> Void = { _ in }
    /// The operator's view's requests (the HMI), taken once per turn; nil without one.
    var requests: ServiceRequests?
    /// The capture side's reconnect and failure counts.
    var cameraFigures: () -> (reconnects: UInt64, failures: UInt64) = { (0, 0) }

    private(set) var exitStatus: Int32 = 0
    private(set) var finished = false
    /// Part-present edges waiting for their frame: each part registered with the line I/O at its edge.
    private var pendingTriggers: [(captureNs: UInt64, part: PartID)] = []
    private let startedNs: UInt64
    private var nextStatusNs: UInt64
    private var lastStatus: (ns: UInt64, captured: UInt64, inspected: UInt64, dropped: UInt64)
    private(set) var cameraFramesPerSecond = 0.0
    private(set) var inspectedFramesPerSecond = 0.0

    init(core: ServiceCore, inbox: ServiceInbox, mailbox: FrameMailbox, clock: any MonotonicClock, logger: Logger,
         maximumFrames: Int?, onTurn: @escaping (ServiceCore, UInt64) -> Void) {
        self.core = core
        self.inbox = inbox
        self.mailbox = mailbox
        self.clock = clock
        self.logger = logger
        self.maximumFrames = maximumFrames
        self.onTurn = onTurn
        startedNs = clock.nowNs
        nextStatusNs = startedNs
        lastStatus = (startedNs, 0, 0, 0)
    }

    var reachedFrameLimit: Bool { maximumFrames.map { core.counters.frames >= UInt64($0) } ?? false }

    func turn() -> Turn {
        let now = clock.nowNs
        onTurn(core, now)
        if let failure = inbox.lineIOFailure {
            logger.critical("line I/O fault, outputs safe: \(failure)")
            exitStatus = 1
            return .done
        }
        for input in inbox.takeInputs() {
            if case .partPresent(let captureNs) = input {
                if pendingTriggers.count >= Self.maximumPendingTriggers {
                    let oldest = pendingTriggers.removeFirst()
                    mailbox.claimEdge(oldest.captureNs)
                    push(core.handleUninspectedPart(oldest.part, captureNs: oldest.captureNs))
                }
                // Registered at once: the line I/O tracks the part from its edge, so a frame or a
                // verdict that comes late leaves it to the fail-safe policy at its pulse start.
                let entered = core.enterPart(captureNs: captureNs)
                push([entered.registration])
                pendingTriggers.append((captureNs, entered.part))
                continue
            }
            push(core.handleInput(input))
        }
        for request in requests?.take() ?? [] { push(core.handle(request)) }
        for news in inbox.takeCameraNews() {
            switch news {
            case .lost(let reason): push(core.cameraLost(reason))
            case .back: push(core.cameraRecovered())
            case .finished: finished = true
            }
        }
        if core.settings.trigger == .partPresent {
            while let edge = pendingTriggers.first, now &- edge.captureNs > Self.triggerFrameWindowNs, now > edge.captureNs {
                pendingTriggers.removeFirst()
                mailbox.claimEdge(edge.captureNs)
                push(core.handleUninspectedPart(edge.part, captureNs: edge.captureNs))
            }
        }
        let frame = mailbox.take()
        if let frame {
            switch core.settings.trigger {
            case .freeRun:
                push(core.handleFrame(frame.image, captureNs: frame.timestampNanoseconds, sequence: frame.sequence,
                                      overview: frame.overview, nowNs: { self.clock.nowNs }, register: push))
            case .partPresent:
                // The first frame exposed after a part-present edge shows that part.
                if let edge = pendingTriggers.first, edge.captureNs <= frame.timestampNanoseconds {
                    pendingTriggers.removeFirst()
                    mailbox.claimEdge(edge.captureNs)
                    push(core.handleFrame(frame.image, captureNs: edge.captureNs, sequence: frame.sequence,
                                          overview: frame.overview, nowNs: { self.clock.nowNs }, part: edge.part))
                } else if let overview = frame.overview, let sink = core.resultSink, sink.wantsFrames {
                    sink.frame(overview, captureNs: frame.timestampNanoseconds)  // no part in it: the view only
                }
            }
        }
        push(core.poll(now: { self.clock.nowNs }))  // one slice of calibration work, if any
        core.noteFrames(captured: mailbox.capturedCount, dropped: mailbox.droppedCount)
        if now >= nextStatusNs { publishStatus(now: now) }
        if reachedFrameLimit { return .done }
        if frame == nil, finished, !mailbox.hasFrames { return .done }
        if frame != nil || core.hasPendingWork || mailbox.hasFrames { return .busy }
        var wake = nextStatusNs
        if let edge = pendingTriggers.first { wake = min(wake, edge.captureNs &+ Self.triggerFrameWindowNs &+ 1) }
        return .idle(untilNs: wake)
    }

    func push(_ commands: [LineIOCommand]) {
        for command in commands { inbox.commands.push(command) }
    }

    /// Frame rates over the last interval, the drop warning, and the status snapshot.
    func publishStatus(now: UInt64, stopped: Bool = false) {
        let captured = mailbox.capturedCount, dropped = mailbox.droppedCount, inspected = core.counters.inspected
        let seconds = Double(now &- lastStatus.ns) / 1e9
        if seconds > 0 {
            cameraFramesPerSecond = Double(captured &- lastStatus.captured) / seconds
            inspectedFramesPerSecond = Double(inspected &- lastStatus.inspected) / seconds
        }
        if dropped > lastStatus.dropped, core.settings.trigger == .freeRun {
            logger.warning("camera delivers \(Int(cameraFramesPerSecond.rounded())) fps, inspection keeps \(Int(inspectedFramesPerSecond.rounded())) fps: lower the camera rate (\(dropped &- lastStatus.dropped) frames not inspected in the last \(Int(seconds.rounded())) s; they are samples, not parts)")
        }
        lastStatus = (now, captured, inspected, dropped)
        nextStatusNs = now &+ core.settings.statusInterval.nanoseconds
        publish(report(now: now, stopped: stopped))
    }

    func report(now: UInt64, stopped: Bool = false) -> StatusReport {
        core.noteFrames(captured: mailbox.capturedCount, dropped: mailbox.droppedCount)
        let counters = core.counters
        let camera = cameraFigures()
        var report = StatusReport(state: stopped ? "stopped" : core.state.name,
                            detail: stopped ? "stopped (was \(core.state))" : core.state.description, counters: counters,
                            latencyP50Ms: core.latency.quantile(0.5).map { Double($0) / 1e6 },
                            latencyP99Ms: core.latency.quantile(0.99).map { Double($0) / 1e6 },
                            framesPerSecond: inspectedFramesPerSecond, cameraFramesPerSecond: cameraFramesPerSecond,
                            threshold: core.threshold, modelPath: core.store.path,
                            uptimeSeconds: Double(now &- startedNs) / 1e9,
                            cameraReconnects: camera.reconnects, cameraFailures: camera.failures)
        (report.driftWarning, report.driftReading) = (core.driftStatus.warning, core.driftStatus.reading?.text)
        report.offset = core.lastOffset
        return report
    }
}
