import Capture
import Inspection
import LineIO

/// Everything /etc/lineside/lineside.conf says, typed. Built by `load(path:)` or `parse(text:path:)`,
/// which check the file against `ConfigSchema`; every default comes from that table.
public struct LinesideConfiguration: Sendable {
    /// Where frames come from.
    public enum Source: Sendable, Equatable {
        case camera(CameraSettings)
        case replay(ReplaySettings)
    }

    public var source: Source
    public var model: ModelSettings
    public var calibration: CalibrationSettings
    /// Reject lines, lights, button and part trigger, ready for `LineIOController`.
    public var lines: LineIOConfiguration
    public var service: ServiceSettings
}

/// [camera]: the V4L2 camera and how a lost one is reopened.
public struct CameraSettings: Sendable, Equatable {
    public var configuration: CameraConfiguration
    /// Longest wait for one frame (`FrameSource.withNextFrame(timeout:)`).
    public var frameTimeout: Duration
    public var reconnect: ReconnectPolicy
}

/// [replay]: a folder of images replayed as frames (`ReplaySource`).
public struct ReplaySettings: Sendable, Equatable {
    public var folder: String
    /// nil: as fast as the inspection takes them.
    public var framesPerSecond: Double?
    public var loops: Bool
}

/// [model]
public struct ModelSettings: Sendable, Equatable {
    public var path: String
    public var previousPath: String
    public var threads: Int
    /// What happens to parts while no usable model is loaded.
    public var noModelPolicy: FailSafePolicy
}

/// [calibration]: how many frames a fit takes and how they become a model.
public struct CalibrationSettings: Sendable {
    public var frames: Int
    /// Shortest time between two frames taken for the fit.
    public var minimumSpacing: Duration
    public var fit: FitSettings
}

/// [service]
public struct ServiceSettings: Sendable, Equatable {
    public enum Trigger: String, Sendable, Equatable {
        /// Inspect every frame.
        case freeRun = "free-run"
        /// Capture on each part-trigger edge.
        case partPresent = "part-present"
    }

    public enum LogLevel: String, Sendable, Equatable, Comparable, CaseIterable {
        case debug, info, warning, error

        public static func < (a: LogLevel, b: LogLevel) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    public var trigger: Trigger
    public var statusFile: String
    public var statusInterval: Duration
    public var logLevel: LogLevel
}
