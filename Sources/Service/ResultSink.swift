import Drift
import LineIO

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

/// Where results go besides the lines: the plant link (MQTT). Every call comes from the inspection
/// thread and must return at once (hand the value to another thread; never wait for a disk or a socket).
public protocol ResultSink: AnyObject, Sendable {
    func part(_ record: PartRecord)
    func status(_ report: StatusReport)
    func event(_ event: ServiceEvent, atNs: UInt64)
}
