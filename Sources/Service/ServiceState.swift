import LineIO

/// Where the service stands; each state has its own status-light pattern.
public enum ServiceState: Sendable, Equatable, CustomStringConvertible {
    case starting
    case inspecting
    /// No model yet: parts follow `noModelVerdict`, the light says so.
    case noModel
    /// Capturing good parts for a fit (`captured` of `target`).
    case calibrating(captured: Int, target: Int)
    /// Computing the model from the captured parts (`progress` 0...1).
    case fitting(progress: Double)
    /// Something is wrong (camera lost, model corrupt, GPIO error); `reason` is one line.
    case fault(reason: String)

    public var statusMode: StatusMode {
        switch self {
        case .starting: .off
        case .inspecting: .ready
        case .noModel: .noModel
        case .calibrating, .fitting: .calibrating
        case .fault: .fault
        }
    }

    public var name: String {
        switch self {
        case .starting: "starting"
        case .inspecting: "inspecting"
        case .noModel: "no-model"
        case .calibrating: "calibrating"
        case .fitting: "fitting"
        case .fault: "fault"
        }
    }

    public var description: String {
        switch self {
        case .calibrating(let captured, let target): "calibrating (\(captured)/\(target) parts)"
        case .fitting(let progress): "fitting (\(Int(progress * 100))%)"
        case .fault(let reason): "fault: \(reason)"
        default: name
        }
    }
}

/// Counters a person reads with `lineside status`.
public struct ServiceCounters: Sendable, Equatable {
    /// Parts: inspected frames in free-running mode, trigger edges with the part-present trigger.
    public var frames: UInt64 = 0
    public var inspected: UInt64 = 0
    public var passes: UInt64 = 0
    public var rejects: UInt64 = 0
    /// Parts decided by the fail-safe policy (inspection failed or came too late).
    public var failSafe: UInt64 = 0
    /// Parts registered with the line I/O only after their pulse had to start (past the ejector:
    /// no pulse fired for them, whatever their verdict).
    public var missed: UInt64 = 0
    /// Parts decided by the no-model policy (no model, or calibrating).
    public var uninspected: UInt64 = 0
    /// Frames the camera delivered, and those the inspection could not take (samples, not parts).
    public var captured: UInt64 = 0
    public var drops: UInt64 = 0
    public var calibrations: UInt64 = 0
    public var lastScore: Float = 0
    /// Inspected parts whose position was beyond the registration tolerance (rejected by default).
    public var notLocated: UInt64 = 0

    public init() {}
}

/// Per-frame latency (capture timestamp to verdict) over a sliding window, for p50/p99.
public struct LatencyWindow: Sendable {
    private var samples: [UInt64]
    private var next = 0
    private var filled = false

    public init(capacity: Int = 1024) { samples = [UInt64](repeating: 0, count: capacity) }

    public mutating func record(_ ns: UInt64) {
        samples[next] = ns
        next += 1
        if next == samples.count { next = 0; filled = true }
    }

    public var count: Int { filled ? samples.count : next }

    /// The q-quantile (0...1) of the window, nil while empty.
    public func quantile(_ q: Double) -> UInt64? {
        guard count > 0 else { return nil }
        let sorted = samples[0..<count].sorted()
        return sorted[min(count - 1, Int((Double(count - 1) * q).rounded()))]
    }
}
