import Capture
import LineIO
import Padim

/// Everything /etc/lineside/lineside.conf says, typed. Built by `load(path:)` or `parse(text:path:)`,
/// which check the file against `ConfigSchema`; every default comes from that table.
public struct LinesideConfiguration: Sendable {
    /// Where frames come from.
    public enum Source: Sendable, Equatable {
        case camera(CameraSettings)
        case replay(ReplaySettings)
    }

    public var source: Source
    /// Reject lines, lights, button and part trigger, ready for `LineIOController`.
    public var lines: LineIOConfiguration
    /// [model], [calibration] and [service]: what the service needs beyond the camera and the lines.
    public var service: ServiceSettings
}

/// [camera]: the V4L2 camera and how a lost one is reopened.
public struct CameraSettings: Sendable, Equatable {
    public var configuration: CameraConfiguration
    /// Longest wait for one frame (`FrameSource.withNextFrame(timeout:)`).
    public var frameTimeout: Duration
    public var reconnect: ReconnectPolicy
    /// How long the camera may deliver nothing (timeouts, an unplug, reconnect attempts) before the
    /// service enters the fault state; shorter gaps are logged and counted only.
    public var faultAfter: Duration
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
public struct CalibrationSettings: Sendable, Equatable {
    public var frames: Int
    /// Shortest time between two frames taken for the fit.
    public var minimumSpacing: Duration
    public var fit: FitSettings
}

/// The one settings type of the service: [model], [calibration] and [service] of the configuration
/// file. Every default comes from `ConfigSchema` (`ServiceSettings.defaults`), so the service, the
/// CLI and the documentation cannot disagree.
public struct ServiceSettings: Sendable, Equatable {
    public enum Trigger: String, Sendable, Equatable {
        /// Frames are samples of the line: each inspected frame is a part, and a frame the
        /// inspection could not take is counted as dropped, never a part.
        case freeRun = "free-run"
        /// Each [part_trigger] edge is a part; the first frame exposed after it is inspected, and an
        /// edge without one goes to the fail-safe policy.
        case partPresent = "part-present"
    }

    public enum LogLevel: String, Sendable, Equatable, Comparable, CaseIterable {
        case debug, info, warning, error

        public static func < (a: LogLevel, b: LogLevel) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    public var model: ModelSettings
    public var calibration: CalibrationSettings
    public var trigger: Trigger
    public var statusFile: String
    public var statusInterval: Duration
    public var logLevel: LogLevel
    /// [mqtt]; nil when the file gives no host (no plant link).
    public var mqtt: MQTTSettings? = nil
    /// [drift]
    public var drift = DriftSettings()
    /// [archive]; nil when enabled = false.
    public var archive: ArchiveSettings? = nil
    /// [hmi]; nil unless listen is set.
    public var hmi: HMISettings? = nil
    /// [registration]
    public var registration = RegistrationSettings()

    /// Every key of [model], [calibration] and [service] at its schema default.
    public static var defaults: ServiceSettings {
        do { return try ConfigurationBuilder.defaults.serviceSections() } catch {
            preconditionFailure("the schema's defaults are inconsistent: \(error)")
        }
    }
}
