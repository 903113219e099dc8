import Capture
import Imaging
import LineIO
import Logging
import Platform
import Synchronization
import SystemPackage

/// Runs the service on real threads:
/// - the line I/O thread owns the GPIO lines and is the only one that touches them (timing);
/// - the capture thread pulls frames and leaves them in a two-frame mailbox, so capturing frame
///   n+1 overlaps inspecting frame n;
/// - the status thread writes the status file from snapshots (the inspection never waits for a disk);
/// - the calling thread inspects, decides, runs calibration work and pets the systemd watchdog,
///   waiting on an event (a frame, an input, camera news) or its next timer between turns.
/// It stops on SIGTERM/SIGINT (via `shouldStop`, checked at least every 50 ms), at the end of a
/// finite replay, or after `maximumFrames`; outputs end in their safe state in every case.
public struct ServiceRunner {
    public struct Environment: @unchecked Sendable {
        // @unchecked: the factories are only ever called on the thread that then owns what they
        // make (the source on the capture thread, the driver on the line I/O thread).
        /// Makes the frame source; its waits (reconnect backoff) should use the clock it is given.
        public var makeSource: (any MonotonicClock) throws -> any FrameSource
        /// `.live` for a camera (a busy inspection drops frames), `.backPressure` for a replay at
        /// full speed (every frame is inspected).
        public var pacing: FrameMailbox.Pacing = .live
        public var regionOfInterest: PixelRect?
        /// How often a frame brings its overview for the result sinks (the HMI's live view); nil: never.
        public var overviewEvery: Duration?
        public var frameTimeout: Duration = .seconds(2)
        /// No frame for this long: the camera counts as lost (fault) until the next one.
        public var faultAfter: Duration = .seconds(5)
        public var makeLineDriver: () -> any LineDriver
        public var lineConfiguration: LineIOConfiguration
        public var maximumFrames: Int?
        /// Called on the main loop each turn; true stops the service (signals).
        public var shouldStop: () -> Bool = { false }
        /// Called on the main loop each turn with the current time (the demo's button script).
        public var onTurn: (ServiceCore, UInt64) -> Void = { _, _ in }
        /// Requests from the operator's view (the HMI), taken by the inspection thread each turn.
        public var requests: ServiceRequests?
        /// Called first on the line I/O thread (the service raises it to SCHED_FIFO there).
        public var prepareLineThread: () -> Void = {}

        public init(makeSource: @escaping (any MonotonicClock) throws -> any FrameSource,
                    makeLineDriver: @escaping () -> any LineDriver, lineConfiguration: LineIOConfiguration) {
            self.makeSource = makeSource
            self.makeLineDriver = makeLineDriver
            self.lineConfiguration = lineConfiguration
        }
    }

    /// Longest wait between two turns while idle (how soon a signal is noticed).
    static let maximumIdleWaitNs: UInt64 = 50_000_000

    public let core: ServiceCore
    public let environment: Environment
    public let logger: Logger
    private let notifier = SystemdNotifier()

    public init(core: ServiceCore, environment: Environment, logger: Logger) {
        self.core = core
        self.environment = environment
        self.logger = logger
    }

    /// Runs until stopped; returns the process exit status (0 clean stop, 1 fatal fault).
    /// Throws only when the system refuses a thread.
    public func run() throws(Errno) -> Int32 {
        let env = environment, log = logger, clock = SystemClock.shared
        let inbox = ServiceInbox()
        let mailbox = FrameMailbox(depth: env.pacing == .live ? 2 : 1, pacing: env.pacing, news: inbox.news)
        let statusWriter = StatusWriter(path: core.settings.statusFile, logger: logger)
        let captureClock = StoppableClock()
        let cameraFigures = CameraFigures()

        let lineThread = try PosixThread {
            env.prepareLineThread()
            let worker = LineWorker(inbox: inbox, clock: SystemClock.shared, logger: log, mailbox: mailbox)
            guard worker.start(driver: env.makeLineDriver(), configuration: env.lineConfiguration) else { return }
            while !inbox.isStopping, worker.step() {}
            worker.shutdown()
        }
        while !inbox.lineReady.load(ordering: .acquiring), inbox.lineIOFailure == nil {
            inbox.news.wait(untilNs: clock.nowNs &+ Self.maximumIdleWaitNs)
        }
        if let failure = inbox.lineIOFailure {
            logger.critical("line I/O failed at start, outputs left safe: \(failure)")
            inbox.stop.store(true, ordering: .releasing)
            lineThread.join()
            return 1
        }
        // The model is loaded before the first frame is captured: a frame taken while it loads
        // would wait for it, and in free-running mode a frame is a part whose pulse time passes.
        let starting = core.start()
        let statusThread: PosixThread
        let captureThread: PosixThread
        do {
            statusThread = try PosixThread { statusWriter.run() }
            captureThread = try PosixThread {
                let worker = CaptureWorker(makeSource: env.makeSource, mailbox: mailbox, clock: captureClock,
                                           frameTimeout: env.frameTimeout, faultAfter: env.faultAfter,
                                           regionOfInterest: env.regionOfInterest, overviewEvery: env.overviewEvery,
                                           logger: log, post: inbox.post)
                while !inbox.isStopping {
                    guard worker.step() else { break }
                    cameraFigures.update(reconnects: worker.reconnects, failures: worker.failures)
                }
                worker.stop()
            }
        } catch {
            inbox.stop.store(true, ordering: .releasing)
            lineThread.join()
            throw error
        }

        let loop = InspectionLoop(core: core, inbox: inbox, mailbox: mailbox, clock: clock, logger: logger,
                                  maximumFrames: env.maximumFrames, onTurn: env.onTurn)
        let sink = core.resultSink
        loop.publish = { report in statusWriter.publish(report); sink?.status(report) }
        loop.cameraFigures = cameraFigures.read
        loop.requests = env.requests
        loop.push(starting)
        notifier.notify("READY=1\nSTATUS=\(core.state)")
        var nextWatchdogNs = clock.nowNs
        var endOfStream = false
        while !env.shouldStop() {
            let turn = loop.turn()
            let now = clock.nowNs
            if now >= nextWatchdogNs {
                notifier.notify("WATCHDOG=1\nSTATUS=\(core.state)")
                nextWatchdogNs = now &+ 1_000_000_000
            }
            if turn == .done { endOfStream = loop.exitStatus == 0; break }
            if case .idle(let until) = turn {
                inbox.news.wait(untilNs: min(until, nextWatchdogNs, now &+ Self.maximumIdleWaitNs))
            }
        }
        notifier.notify("STOPPING=1")
        logger.notice("stopping: outputs to their safe state")
        // At the end of a finite stream (demo, soak) the parts still travelling to the ejector get
        // their pulses; on a signal the service stops at once (50 ms) and the outputs go safe.
        let longestTravel = env.lineConfiguration.rejectLines.map { $0.timing.delayNs + $0.timing.pulseWidthNs }.max() ?? 0
        let drainUntil = clock.nowNs &+ (endOfStream ? longestTravel + 100_000_000 : 50_000_000)
        while clock.nowNs < drainUntil, inbox.lineIOFailure == nil {
            for input in inbox.takeInputs() { _ = core.handleInput(input) }
            inbox.news.wait(untilNs: drainUntil)
        }
        inbox.stop.store(true, ordering: .releasing)
        captureClock.stop()
        mailbox.releaseWaiters()
        captureThread.join()
        lineThread.join()
        for input in inbox.takeInputs() { _ = core.handleInput(input) }
        statusWriter.stop(final: loop.report(now: clock.nowNs, stopped: true))
        statusThread.join()
        return loop.exitStatus
    }
}

/// The capture thread's reconnect and failure counts, for the status report.
final class CameraFigures: Sendable {
    private let reconnects = Atomic<UInt64>(0)
    private let failures = Atomic<UInt64>(0)

    func update(reconnects: UInt64, failures: UInt64) {
        self.reconnects.store(reconnects, ordering: .relaxed)
        self.failures.store(failures, ordering: .relaxed)
    }

    func read() -> (reconnects: UInt64, failures: UInt64) {
        (reconnects.load(ordering: .relaxed), failures.load(ordering: .relaxed))
    }
}
