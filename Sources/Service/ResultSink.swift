import Capture
import Drift
import Imaging
import Inspection
import LineIO
import Synchronization

/// One decided part, as the plant link publishes it.
public struct PartRecord: Sendable, Equatable {
    public var part: UInt64
    /// The frame's sequence number from its source.
    public var sequence: UInt32
    /// CLOCK_MONOTONIC of the capture (the sink turns it into wall time).
    public var captureNs: UInt64
    /// nil when the part was not inspected (no model, calibration, fault, inspection error).
    public var score: Float?
    public var threshold: Float?
    public var verdict: Verdict
    /// Why the part got its verdict: "score", "not-located", "no-model", "calibrating", "fault", "inspection-failed".
    public var reason: String
    /// The model in use (16 hex digits of the SHA-256 of its mean and channels), nil without one.
    public var modelID: String?
    /// Capture to verdict, ns (inspected parts only).
    public var latencyNs: UInt64?
    /// Where the part lay against the registration reference (inspected parts of a model fitted
    /// with registration); reason "not-located" when it was beyond the tolerance.
    public var offset: PartOffset?

    public init(part: UInt64, sequence: UInt32, captureNs: UInt64, score: Float?, threshold: Float?, verdict: Verdict,
                reason: String, modelID: String?, latencyNs: UInt64?) {
        self.part = part
        self.sequence = sequence
        self.captureNs = captureNs
        self.score = score
        self.threshold = threshold
        self.verdict = verdict
        self.reason = reason
        self.modelID = modelID
        self.latencyNs = latencyNs
    }
}

/// Something that happened to the service, for the plant's systems.
public enum ServiceEvent: Sendable, Equatable {
    case modelLoaded(modelID: String, threshold: Float)
    case calibrationStarted(frames: Int)
    case calibrationFinished(outcome: String, modelID: String?, threshold: Float?)
    case modelSwapped(modelID: String, threshold: Float)
    /// `lineside rollback` runs with the service stopped: the plant link reports this event after
    /// `modelLoaded` at the next start when the loaded model is the one used before the current one.
    case rollback(modelID: String)
    case fault(reason: String)
    case faultCleared(state: String)
    case drift(active: Bool, reading: DriftReading)

    public var name: String {
        switch self {
        case .modelLoaded: "model_loaded"
        case .calibrationStarted: "calibration_started"
        case .calibrationFinished: "calibration_finished"
        case .modelSwapped: "model_swapped"
        case .rollback: "rollback"
        case .fault: "fault"
        case .faultCleared: "fault_cleared"
        case .drift(let active, _): active ? "drift" : "drift_cleared"
        }
    }
}

/// A part's pictures, for the sinks that asked for them (the reject archive, the HMI's live view):
/// the region as inspected (shared with the frame, not copied) and, for inspected parts, a copy of
/// the anomaly map (`mapSize` x `mapSize`, the model's view), made only for parts a sink wants.
public struct PartImage: Sendable {
    public var region: Image
    public var map: [Float]?
    public var mapSize: Int
    /// The whole frame the part was captured in, scaled down (frames that brought one: see
    /// `ResultSink.wantsFrames`).
    public var frame: FrameOverview?

    public init(region: Image, map: [Float]?, mapSize: Int, frame: FrameOverview? = nil) {
        self.region = region
        self.map = map
        self.mapSize = mapSize
        self.frame = frame
    }
}

/// The model in use, for the operator's view: identity, threshold, the bounds a threshold change
/// must keep, and the good-part scores its calibration held out.
public struct ModelInUse: Sendable, Equatable {
    public var modelID: String
    public var threshold: Float
    public var acceptedThresholds: ClosedRange<Float>?
    public var heldOutScores: [Float]
    public var facts: [String: String]

    public init(modelID: String, threshold: Float, acceptedThresholds: ClosedRange<Float>?, heldOutScores: [Float],
                facts: [String: String]) {
        self.modelID = modelID
        self.threshold = threshold
        self.acceptedThresholds = acceptedThresholds
        self.heldOutScores = heldOutScores
        self.facts = facts
    }
}

/// Where results go besides the lines: the plant link (MQTT), the reject archive, the HMI. Every
/// call comes from the inspection thread and must return at once (hand the value to another
/// thread; never wait for a disk or a socket).
public protocol ResultSink: AnyObject, Sendable {
    func part(_ record: PartRecord)
    func status(_ report: StatusReport)
    func event(_ event: ServiceEvent, atNs: UInt64)
    /// True when the sink wants this part's pictures (cheap, no side effects; default false).
    func wantsImage(for record: PartRecord) -> Bool
    /// The part with its pictures, instead of `part(_:)`, when `wantsImage` said so.
    func part(_ record: PartRecord, image: PartImage)
    /// True when the sink wants the pictures of every part whose frame brought an overview (the
    /// capture adds one every `ServiceRunner.Environment.overviewEvery`; default false).
    var wantsFrames: Bool { get }
    /// A frame's overview that shows no part (part-present mode between parts; default: nothing).
    func frame(_ overview: FrameOverview, captureNs: UInt64)
    /// A model came into use or its threshold changed (default: nothing).
    func model(_ model: ModelInUse)
}

extension ResultSink {
    /// Whether this part's pictures go to the sink: it asked for them, or it takes every part
    /// whose frame brought an overview and this one did.
    public func wantsPictures(for record: PartRecord, withFrame: Bool) -> Bool {
        wantsImage(for: record) || (withFrame && wantsFrames)
    }

    public func wantsImage(for record: PartRecord) -> Bool { false }
    public func part(_ record: PartRecord, image: PartImage) { part(record) }
    public var wantsFrames: Bool { false }
    public func frame(_ overview: FrameOverview, captureNs: UInt64) {}
    public func model(_ model: ModelInUse) {}
}

/// Several sinks behind one: each call goes to every sink, pictures only to those that want them.
public final class ResultSinks: ResultSink {
    public let sinks: [any ResultSink]

    public init(_ sinks: [any ResultSink]) { self.sinks = sinks }

    /// nil for none, the sink itself for one, a fan-out for more.
    public static func combine(_ sinks: [(any ResultSink)?]) -> (any ResultSink)? {
        let present = sinks.compactMap { $0 }
        if present.count <= 1 { return present.first }
        return ResultSinks(present)
    }

    public func part(_ record: PartRecord) { for sink in sinks { sink.part(record) } }
    public func status(_ report: StatusReport) { for sink in sinks { sink.status(report) } }
    public func event(_ event: ServiceEvent, atNs: UInt64) { for sink in sinks { sink.event(event, atNs: atNs) } }
    public func wantsImage(for record: PartRecord) -> Bool { sinks.contains { $0.wantsImage(for: record) } }
    public var wantsFrames: Bool { sinks.contains { $0.wantsFrames } }
    public func part(_ record: PartRecord, image: PartImage) {
        for sink in sinks {
            if sink.wantsPictures(for: record, withFrame: image.frame != nil) {
                sink.part(record, image: image)
            } else {
                sink.part(record)
            }
        }
    }
    public func frame(_ overview: FrameOverview, captureNs: UInt64) {
        for sink in sinks where sink.wantsFrames { sink.frame(overview, captureNs: captureNs) }
    }
    public func model(_ model: ModelInUse) { for sink in sinks { sink.model(model) } }
}

/// What the operator's view may ask of the service. It never drives an output: the requests go
/// through the inspection thread's turn like the button's presses.
public enum ServiceRequest: Sendable {
    case startCalibration
    case cancelCalibration
    /// A model already written to the model path (a rollback done by the caller): use it.
    case useModel(ModelFile, rollback: Bool)
    /// A new threshold, already persisted in the model file by the caller and inside its bounds.
    case setThreshold(Float, modelID: String)
}

/// The hand-off of `ServiceRequest`s to the inspection thread (taken once per turn).
public final class ServiceRequests: Sendable {
    private let pending = Mutex<[ServiceRequest]>([])
    /// More than this waiting is refused (a request storm cannot grow memory).
    public static let limit = 16

    public init() {}

    /// False when too many requests wait.
    @discardableResult
    public func post(_ request: ServiceRequest) -> Bool {
        pending.withLock { queue in
            guard queue.count < Self.limit else { return false }
            queue.append(request)
            return true
        }
    }

    public func take() -> [ServiceRequest] { pending.withLock { queue in defer { queue = [] }; return queue } }
}
