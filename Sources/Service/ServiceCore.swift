import Backbone
import Capture
import Configuration
import Imaging
import Inspection
import LineIO
import Logging
import Drift
import Platform

/// The service's decisions, single-threaded and clock-agnostic: what to do with each frame, each
/// button press and each turn of the loop. `ServiceRunner` feeds it from real threads; the tests
/// and the simulation feed it step by step with a virtual clock.
public final class ServiceCore {
    public private(set) var state: ServiceState = .starting
    public internal(set) var counters = ServiceCounters()
    public private(set) var latency = LatencyWindow()
    public let settings: ServiceSettings
    public let store: ModelStore
    let backbone: Int8Backbone
    let logger: Logger
    private(set) var inspector: Inspector?
    private var calibration: Calibration?
    /// The state to return to when a calibration is cancelled or the camera comes back.
    private var resumeState: ServiceState = .noModel
    private var nextPart: UInt64 = 0
    /// Every part goes to the first reject line (several lines: the configuration would map them).
    static let rejectLine = 0
    /// Positions finished per step while fitting; `poll` takes steps for its time budget.
    static let finishPositionsPerStep = 8
    private var uninspectedSinceLog = 0
    private var lastUninspectedLogNs: UInt64 = 0
    /// Called for every part with its score (nil when not inspected) and verdict: the demo prints
    /// them; the service leaves it nil (one log line per event that matters, not per part).
    /// The second argument is the frame's sequence number from its source.
    public var partObserver: ((PartID, UInt32, Float?, Verdict) -> Void)?
    /// The plant link (MQTT): part records and events; nil without one.
    public var resultSink: (any ResultSink)?
    /// Drift watch on good parts (ServiceCore+PlantLink.swift).
    var drift: DriftWatch
    /// The model in use, for part records and events.
    public internal(set) var modelID: String?
    /// The last inspected part's position against the registration reference (nil: the model has
    /// none, or no part yet): status report and part record (ServiceCore+Registration.swift).
    public internal(set) var lastOffset: PartOffset?

    public init(backbone: Int8Backbone, settings: ServiceSettings, logger: Logger) {
        self.backbone = backbone
        self.settings = settings
        self.logger = logger
        drift = DriftWatch(settings: settings.drift, threshold: 0)
        store = ModelStore(path: settings.model.path, previousPath: settings.model.previousPath)
    }

    public var threshold: Float? { inspector?.threshold }
    /// The last part's anomaly map over its region as captured (an array of its own; nil when it
    /// cannot be drawn back) and its side, for the parts a sink wants pictures of.
    var inspectorMapAsCaptured: [Float]? { try? inspector?.anomalyMapAsCaptured() }
    var inspectorMapSize: Int { inspector?.anomaly.size ?? 0 }
    /// The model in use as the operator's view shows it (kept small: facts and held-out scores).
    public internal(set) var modelInUse: ModelInUse?

    /// Loads the model; returns the status-light command for the resulting state.
    public func start() -> [LineIOCommand] {
        switch store.load(expected: ModelFile.Expectation(backbone)) {
        case .model(let model):
            do {
                inspector = try makeInspector(model)
                modelInstalled(model, swapped: false)
                logger.info("model loaded", metadata: ["path": "\(store.path)", "threshold": "\(model.threshold)",
                                                       "images": "\(model.facts["image_count"] ?? "?")"])
                return transition(to: .inspecting)
            } catch {
                logger.error("model unusable: \(error)")
                return transition(to: .fault(reason: "\(error)"))
            }
        case .missing:
            logger.warning("no model yet at \(store.path): long-press the button to calibrate; parts are \(settings.noModelVerdict == .pass ? "passed (flagged)" : "rejected") meanwhile")
            return transition(to: .noModel)
        case .unusable(let reason):
            logger.error("model unusable, fault until a new calibration: \(reason)")
            return transition(to: .fault(reason: reason))
        }
    }

    /// A part enters the line, captured at `captureNs` (a part-present edge, or a free-running
    /// frame): its number, and the command that registers it with the line I/O.
    public func enterPart(captureNs: UInt64) -> (part: PartID, registration: LineIOCommand) {
        counters.frames += 1
        let part = PartID(rawValue: nextPart)
        nextPart += 1
        return (part, .register(part, captureNs: captureNs, rejectLine: Self.rejectLine))
    }

    /// A frame that stands for one part, captured at `captureNs`: registers the part with the line
    /// I/O (unless `part` names one already registered: a part-present edge) and resolves its
    /// verdict. `nowNs` is read after the inspection, for the latency.
    ///
    /// `register` receives the part's registration before the inspection starts, so the line I/O
    /// knows the part while it is being inspected: a verdict that comes after the part's pulse
    /// start is then left to the fail-safe policy at the right time, never pulsed late. (Without
    /// it the registration leads the returned commands.)
    public func handleFrame(_ image: Image, captureNs: UInt64, sequence: UInt32 = 0, overview: FrameOverview? = nil, nowNs: () -> UInt64,
                            register: (([LineIOCommand]) -> Void)? = nil, part registered: PartID? = nil) -> [LineIOCommand] {
        let stateBefore = state
        var commands: [LineIOCommand] = []
        let part: PartID
        if let registered {
            part = registered
        } else {
            let entered = enterPart(captureNs: captureNs)
            part = entered.part
            if let register { register([entered.registration]) } else { commands = [entered.registration] }
        }
        let verdict: Verdict
        var score: Float? = nil
        switch state {
        case .inspecting:
            verdict = inspect(image)
            score = verdict == .inspectionFailed ? nil : counters.lastScore
            latency.record(nowNs() &- captureNs)
        case .calibrating:
            do {
                if try calibration!.offer(image, captureNs: captureNs) {
                    commands += progressCalibration()
                }
            } catch {
                commands += failCalibration("\(error)")
            }
            verdict = settings.noModelVerdict
            counters.uninspected += 1
        case .starting, .noModel, .fitting:
            verdict = settings.noModelVerdict
            counters.uninspected += 1
        case .fault:
            verdict = .inspectionFailed
        }
        commands.append(.resolve(part, verdict))
        partObserver?(part, sequence, score, verdict)
        commands += reportPart(part, sequence: sequence, captureNs: captureNs, image: image, overview: overview, score: score,
                               verdict: verdict, stateBefore: stateBefore, nowNs: nowNs())
        return commands
    }

    /// A part-present edge (its part registered at the edge, `enterPart`) that got no frame in
    /// time: it is left to the fail-safe policy. (In free-running mode a frame the inspection could
    /// not take is not a part and never comes here.)
    public func handleUninspectedPart(_ part: PartID, captureNs: UInt64) -> [LineIOCommand] {
        uninspectedSinceLog += 1
        if captureNs &- lastUninspectedLogNs > 1_000_000_000 {
            logger.warning("\(uninspectedSinceLog) triggered part(s) without a frame: the fail-safe policy decides")
            uninspectedSinceLog = 0
            lastUninspectedLogNs = captureNs
        }
        return [.resolve(part, .inspectionFailed)]
    }

    private func inspect(_ image: Image) -> Verdict {
        guard let inspector else { return .inspectionFailed }
        do {
            let score = try inspector.inspect(image)
            counters.inspected += 1
            counters.lastScore = score
            return positionVerdict(inspector.lastView, scoreVerdict: inspector.isDefective(score: score) ? .reject : .pass)
        } catch {
            logger.error("inspection failed: \(error)")
            return .inspectionFailed
        }
    }

    /// Button presses and the line I/O's decisions.
    public func handleInput(_ input: LineIOInput) -> [LineIOCommand] {
        switch input {
        case .longPress:
            return startCalibration()
        case .shortPress:
            return cancelCalibration()
        case .decided(let decision):
            if decision.basis == .registeredTooLate {
                counters.missed += 1
                logger.warning("\(decision.part) reached the line I/O after its pulse start: it has passed the ejector, no pulse fired (the inspection is running behind the line)")
                return []
            }
            if decision.rejected { counters.rejects += 1 } else { counters.passes += 1 }
            if decision.basis != .verdict { counters.failSafe += 1 }
            return []
        case .partPresent:
            return []  // the runner pairs triggers with frames
        }
    }

    public func startCalibration() -> [LineIOCommand] {
        switch state {
        case .calibrating, .fitting:
            logger.info("calibration already running")
            return []
        default:
            break
        }
        do {
            calibration = try Calibration(backbone: backbone, settings: settings)
        } catch {
            logger.error("cannot start calibration: \(error)")
            return []
        }
        if case .fault = state {} else { resumeState = state }
        logger.notice("calibration started: present \(settings.calibration.frames) good parts")
        resultSink?.event(.calibrationStarted(frames: settings.calibration.frames), atNs: SystemClock.shared.nowNs)
        return transition(to: .calibrating(captured: 0, target: settings.calibration.frames))
    }

    public func cancelCalibration() -> [LineIOCommand] {
        guard calibration != nil else { return [] }
        calibration = nil
        ProcessMemory.trim()
        logger.notice("calibration cancelled; the model in use is unchanged")
        resultSink?.event(.calibrationFinished(outcome: "cancelled", modelID: modelID, threshold: threshold), atNs: SystemClock.shared.nowNs)
        return transition(to: inspector != nil ? .inspecting : resumeState)
    }

    /// The camera side's frame counts (frames delivered, frames the inspection could not take).
    public func noteFrames(captured: UInt64, dropped: UInt64) {
        counters.captured = captured
        counters.drops = dropped
    }

    /// True while calibration work is waiting for `poll`.
    public var hasPendingWork: Bool {
        if calibration != nil, case .fitting = state { return true }
        return false
    }

    /// Calibration work for about `budgetNs` (the fit's finishing steps, a few positions at a time,
    /// then the held-out scoring), so a loop turn stays short on any board. Call once per turn.
    public func poll(now: () -> UInt64 = { SystemClock.shared.nowNs }, budgetNs: UInt64 = 15_000_000) -> [LineIOCommand] {
        guard let calibration, case .fitting = state else { return [] }
        let start = now()
        do {
            repeat {
                let progress = try calibration.step(positions: Self.finishPositionsPerStep)
                if case .done(let model) = calibration.phase { return install(model) }
                state = .fitting(progress: progress)
            } while now() &- start < budgetNs
            return []
        } catch {
            return failCalibration("\(error)")
        }
    }

    /// The camera stopped delivering (unplugged, timeouts): fault until it is back.
    public func cameraLost(_ reason: String) -> [LineIOCommand] {
        if case .fault = state { return [] }
        resumeState = state
        logger.error("camera lost: \(reason)")
        return transition(to: .fault(reason: "camera: \(reason)"))
    }

    public func cameraRecovered() -> [LineIOCommand] {
        guard case .fault(let reason) = state, reason.hasPrefix("camera:") else { return [] }
        logger.notice("camera back")
        return transition(to: resumeState)
    }

    private func progressCalibration() -> [LineIOCommand] {
        guard let calibration else { return [] }
        logger.info("calibration: part \(calibration.captured) of \(calibration.target) taken")
        if case .finishing = calibration.phase {
            logger.notice("captured \(calibration.captured) parts; fitting")
            return transition(to: .fitting(progress: 0))
        }
        state = .calibrating(captured: calibration.captured, target: calibration.target)
        return []
    }

    private func failCalibration(_ reason: String) -> [LineIOCommand] {
        logger.error("calibration failed, model unchanged: \(reason)")
        resultSink?.event(.calibrationFinished(outcome: "failed: \(reason)", modelID: modelID, threshold: threshold),
                          atNs: SystemClock.shared.nowNs)
        calibration = nil
        ProcessMemory.trim()
        return transition(to: inspector != nil ? .inspecting : resumeState)
    }

    private func install(_ model: ModelFile) -> [LineIOCommand] {
        calibration = nil
        defer { ProcessMemory.trim() }  // the fit's buffers are gone: give the memory back
        do {
            try store.save(model)
            inspector = try makeInspector(model)
        } catch {
            return failCalibration("\(error)")
        }
        counters.calibrations += 1
        modelInstalled(model, swapped: true)
        resultSink?.event(.calibrationFinished(outcome: "saved", modelID: modelID, threshold: model.threshold), atNs: SystemClock.shared.nowNs)
        logger.notice("new model saved and in use", metadata: ["path": "\(store.path)", "threshold": "\(model.threshold)",
                                                             "rule": "\(model.facts["threshold_rule"] ?? "")"])
        return transition(to: .inspecting)
    }

    func installInspector(_ next: Inspector) { inspector = next }

    func setInspectorThreshold(_ value: Float) -> Bool {
        guard let inspector else { return false }
        inspector.threshold = value
        return true
    }

    func transition(to next: ServiceState) -> [LineIOCommand] {
        let changed = statusMode(for: next) != statusMode(for: state)
        noteTransition(from: state, to: next)
        state = next
        logger.info("state \(next)")
        return changed ? [.setStatus(statusMode(for: next))] : []
    }
}
