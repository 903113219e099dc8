import Inspection
import LineIO

/// What the service needs to know beyond the camera and the lines (those have their own
/// configurations in Capture and LineIO). Filled from the [model], [calibration] and [service]
/// sections of the configuration file.
public struct ServiceSettings: Sendable {
    public enum Trigger: String, Sendable {
        /// Every frame is a part (an indexed line, or a camera triggered by the line itself).
        case freeRun = "free-run"
        /// The part-present input's edge marks a part; the next frame after it is inspected.
        case partPresent = "part-present"
    }

    public var modelPath = "/var/lib/lineside/model.safetensors"
    public var previousModelPath = "/var/lib/lineside/model.previous.safetensors"
    /// What happens to parts while there is no model (or one is being fitted): reject them all,
    /// or pass them all while the status light flags it.
    public var noModelVerdict: Verdict = .reject
    public var calibrationFrames = 100
    /// Minimum time between two calibration captures, so one part is not captured twice.
    public var calibrationSpacingNs: UInt64 = 0
    public var fit = FitSettings()
    public var backboneThreads = 2
    public var trigger: Trigger = .freeRun
    public var statusPath = "/run/lineside/status"
    public var statusIntervalNs: UInt64 = 1_000_000_000
    /// Which reject line a part goes to (several lines: the configuration maps parts to lines).
    public var rejectLine = 0
    /// Positions finished per step while fitting; `ServiceCore.poll` takes steps for ~15 ms a turn.
    public var finishPositionsPerTurn = 8

    public init() {}
}
