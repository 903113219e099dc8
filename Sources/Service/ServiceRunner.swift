import Capture
import Imaging
import LineIO
import Logging
import Synchronization

/// Runs the service on real threads:
/// - the line I/O thread owns the GPIO lines and is the only one that touches them (timing);
/// - the capture thread pulls frames and hands the newest over, so capturing frame n+1 overlaps
///   inspecting frame n;
/// - the calling thread inspects, decides, runs calibration work, writes the status file and
///   pets the systemd watchdog.
/// It stops on SIGTERM/SIGINT (via `shouldStop`), at the end of a finite replay, or after
/// `maximumFrames`; outputs end in their safe state in every case.
public struct ServiceRunner {
    public struct Environment: @unchecked Sendable {
        // @unchecked: the factories are only ever called on the thread that then owns what they
        // make (the source on the capture thread, the driver on the line I/O thread).
        public var makeSource: () throws -> any FrameSource
        public var regionOfInterest: PixelRect?
        public var frameTimeout: Duration = .seconds(2)
        public var makeLineDriver: () -> any LineDriver
        public var lineConfiguration: LineIOConfiguration
        public var lineClock: () -> any LineIO.MonotonicClock
        public var maximumFrames: Int?
        /// Called on the main loop each turn; true stops the service (signals).
        public var shouldStop: () -> Bool = { false }
        /// Called on the main loop each turn with the current time (the demo's button script).
        public var onTurn: (ServiceCore, UInt64) -> Void = { _, _ in }
        /// Called first on the line I/O thread (the service raises it to SCHED_FIFO there).
        public var prepareLineThread: () -> Void = {}

        public init(makeSource: @escaping () throws -> any FrameSource, makeLineDriver: @escaping () -> any LineDriver,
                    lineConfiguration: LineIOConfiguration, lineClock: @escaping () -> any LineIO.MonotonicClock) {
            self.makeSource = makeSource
            self.makeLineDriver = makeLineDriver
            self.lineConfiguration = lineConfiguration
            self.lineClock = lineClock
        }
    }

    /// What threads share: small, locked, and Sendable.
    final class Shared: Sendable {
        let stop = Atomic<Bool>(false)
        let inputs = Mutex<[LineIOInput]>([])
        let frames = Mutex<[CapturedImage]>([])
        let cameraEvents = Mutex<[CameraNews]>([])
        let lineIOFailure = Mutex<String?>(nil)
        let lineIOReady = Atomic<Bool>(false)
        let drops = Atomic<UInt64>(0)
        /// Capture times of frames the inspection could not keep up with: still parts on the line.
        let droppedFrames = Mutex<[UInt64]>([])
        let reconnects = Atomic<UInt64>(0)
        let commands = LineIOCommandQueue()
    }

    enum CameraNews: Sendable {
        case lost(String)
        case back
        case finished
    }

    /// Frames waiting for the inspector; more than this and the oldest is dropped (and counted).
    static let mailboxDepth = 2

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
    public func run() -> Int32 {
        let shared = Shared()
        let env = environment
        let log = logger

        let lineThread = PosixThread { ServiceRunner.lineIOLoop(shared: shared, env: env, logger: log) }
        while !shared.lineIOReady.load(ordering: .acquiring) {
            if shared.lineIOFailure.withLock({ $0 }) != nil { break }
            sleepNanoseconds(1_000_000)
        }
        if let failure = shared.lineIOFailure.withLock({ $0 }) {
            logger.critical("line I/O failed at start, outputs left safe: \(failure)")
            shared.stop.store(true, ordering: .releasing)
            lineThread.join()
            return 1
        }
        for command in core.start() { shared.commands.push(command) }
        let captureThread = PosixThread { ServiceRunner.captureLoop(shared: shared, env: env, logger: log) }
        notifier.notify("READY=1\nSTATUS=\(core.state)")

        let started = monotonicNanoseconds()
        var nextStatus = started
        var framesAtLastStatus: UInt64 = 0
        var pendingTriggers: [UInt64] = []
        var exitStatus: Int32 = 0
        var finished = false
        while !env.shouldStop() {
            let now = monotonicNanoseconds()
            env.onTurn(core, now)
            if let failure = shared.lineIOFailure.withLock({ $0 }) {
                logger.critical("line I/O fault, outputs safe: \(failure)")
                exitStatus = 1
                break
            }
            for input in shared.inputs.withLock({ pending -> [LineIOInput] in defer { pending = [] }; return pending }) {
                if case .partPresent(let captureNs) = input { pendingTriggers.append(captureNs); continue }
                push(core.handleInput(input), shared)
            }
            for news in shared.cameraEvents.withLock({ pending -> [CameraNews] in defer { pending = [] }; return pending }) {
                switch news {
                case .lost(let reason): push(core.cameraLost(reason), shared)
                case .back: push(core.cameraRecovered(), shared)
                case .finished: finished = true
                }
            }
            // Parts the inspection never saw still reach the ejector: the fail-safe policy decides.
            if core.settings.trigger == .freeRun {
                for captureNs in shared.droppedFrames.withLock({ pending -> [UInt64] in defer { pending = [] }; return pending }) {
                    push(core.handleUninspectedPart(captureNs: captureNs), shared)
                }
            } else {
                let stale = pendingTriggers.filter { $0 + 1_000_000_000 < now }
                pendingTriggers.removeAll { $0 + 1_000_000_000 < now }
                for captureNs in stale { push(core.handleUninspectedPart(captureNs: captureNs), shared) }
            }
            let frame = shared.frames.withLock { pending -> CapturedImage? in pending.isEmpty ? nil : pending.removeFirst() }
            if let frame {
                switch core.settings.trigger {
                case .freeRun:
                    push(core.handleFrame(frame.image, captureNs: frame.timestampNanoseconds, sequence: frame.sequence,
                                          nowNs: monotonicNanoseconds), shared)
                case .partPresent:
                    // The first frame exposed after a part-present edge shows that part.
                    if let edge = pendingTriggers.first, edge <= frame.timestampNanoseconds {
                        pendingTriggers.removeFirst()
                        push(core.handleFrame(frame.image, captureNs: edge, sequence: frame.sequence, nowNs: monotonicNanoseconds), shared)
                    }
                }
                if let maximum = env.maximumFrames, core.counters.frames >= UInt64(maximum) { break }
            } else if finished {
                break
            }
            push(core.poll(), shared)  // one slice of calibration work, if any
            if frame == nil { sleepNanoseconds(500_000) }
            if now >= nextStatus {
                let frames = core.counters.frames
                writeStatus(shared: shared, started: started, fps: Double(frames - framesAtLastStatus) * 1e9 / Double(core.settings.statusIntervalNs))
                framesAtLastStatus = frames
                nextStatus = now + core.settings.statusIntervalNs
                notifier.notify("WATCHDOG=1\nSTATUS=\(core.state)")
            }
        }
        notifier.notify("STOPPING=1")
        logger.notice("stopping: outputs to their safe state")
        // At the end of a finite stream (demo, soak) the parts still travelling to the ejector get
        // their pulses; on a signal the service stops at once (50 ms) and the outputs go safe.
        let endOfStream = finished || env.maximumFrames.map { core.counters.frames >= UInt64($0) } ?? false
        let longestTravel = env.lineConfiguration.rejectLines.map { $0.timing.delayNs + $0.timing.pulseWidthNs }.max() ?? 0
        let drainUntil = monotonicNanoseconds() + (endOfStream && exitStatus == 0 ? longestTravel + 100_000_000 : 50_000_000)
        while monotonicNanoseconds() < drainUntil, shared.lineIOFailure.withLock({ $0 }) == nil {
            for input in shared.inputs.withLock({ pending -> [LineIOInput] in defer { pending = [] }; return pending }) {
                _ = core.handleInput(input)
            }
            sleepNanoseconds(1_000_000)
        }
        shared.stop.store(true, ordering: .releasing)
        captureThread.join()
        lineThread.join()
        for input in shared.inputs.withLock({ pending -> [LineIOInput] in defer { pending = [] }; return pending }) {
            _ = core.handleInput(input)
        }
        writeStatus(shared: shared, started: started, fps: 0, stopped: true)
        return exitStatus
    }

    private func push(_ commands: [LineIOCommand], _ shared: Shared) {
        for command in commands { shared.commands.push(command) }
    }

    private func writeStatus(shared: Shared, started: UInt64, fps: Double, stopped: Bool = false) {
        var counters = core.counters
        counters.drops = shared.drops.load(ordering: .relaxed)
        let report = StatusReport(state: stopped ? "stopped" : core.state.name,
                                  detail: stopped ? "stopped (was \(core.state))" : core.state.description, counters: counters,
                                  latencyP50Ms: core.latency.quantile(0.5).map { Double($0) / 1e6 },
                                  latencyP99Ms: core.latency.quantile(0.99).map { Double($0) / 1e6 },
                                  framesPerSecond: fps, threshold: core.threshold, modelPath: core.store.path,
                                  uptimeSeconds: Double(monotonicNanoseconds() - started) / 1e9,
                                  cameraReconnects: shared.reconnects.load(ordering: .relaxed))
        do { try report.write(to: core.settings.statusPath) } catch {
            logger.warning("cannot write status file: \(error)")
        }
    }

    private static func lineIOLoop(shared: Shared, env: Environment, logger: Logger) {
        env.prepareLineThread()
        let clock = env.lineClock()
        let controller: LineIOController
        do {
            controller = try LineIOController(driver: env.makeLineDriver(), configuration: env.lineConfiguration, nowNs: clock.nowNs)
        } catch {
            shared.lineIOFailure.withLock { $0 = "\(error)" }
            return
        }
        shared.lineIOReady.store(true, ordering: .releasing)
        while !shared.stop.load(ordering: .acquiring) {
            let inputs = controller.runOnce(clock: clock, commands: shared.commands)
            if !inputs.isEmpty { shared.inputs.withLock { $0 += inputs } }
            if case .faulted(let cause, _, _) = controller.state {
                shared.lineIOFailure.withLock { $0 = "\(cause)" }
                break
            }
        }
        let failures = controller.shutdown()
        for failure in failures { logger.critical("output could not be made safe: \(failure)") }
    }

    private static func captureLoop(shared: Shared, env: Environment, logger: Logger) {
        var source: (any FrameSource)?
        var lost = false
        var backoffNs: UInt64 = 100_000_000
        while !shared.stop.load(ordering: .acquiring) {
            do {
                if source == nil {
                    let made = try env.makeSource()
                    try made.start()
                    source = made
                }
                let image = try source!.nextImage(timeout: env.frameTimeout, roi: env.regionOfInterest, layout: nil)
                if lost {
                    lost = false
                    backoffNs = 100_000_000
                    shared.cameraEvents.withLock { $0.append(.back) }
                }
                let dropped = shared.frames.withLock { frames -> UInt64? in
                    frames.append(image)
                    guard frames.count > ServiceRunner.mailboxDepth else { return nil }
                    return frames.removeFirst().timestampNanoseconds
                }
                if let dropped {
                    shared.drops.add(1, ordering: .relaxed)
                    shared.droppedFrames.withLock { $0.append(dropped) }
                }
            } catch let error as CaptureError {
                if case .replayFinished = error {
                    shared.cameraEvents.withLock { $0.append(.finished) }
                    break
                }
                if !lost {
                    lost = true
                    shared.cameraEvents.withLock { $0.append(.lost("\(error)")) }
                }
                source?.stop()
                source = nil
                shared.reconnects.add(1, ordering: .relaxed)
                logger.warning("camera: \(error); retrying in \(backoffNs / 1_000_000) ms")
                var waited: UInt64 = 0
                while waited < backoffNs, !shared.stop.load(ordering: .acquiring) {
                    sleepNanoseconds(10_000_000)
                    waited += 10_000_000
                }
                backoffNs = min(backoffNs * 2, 5_000_000_000)
            } catch {
                logger.error("camera: \(error)")
                shared.cameraEvents.withLock { $0.append(.lost("\(error)")) }
                source?.stop()
                source = nil
                sleepNanoseconds(backoffNs)
            }
        }
        source?.stop()
    }
}
