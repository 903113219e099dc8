import Capture
import Imaging
import LineIO
import Padim

/// Turns the checked sections into a `LinesideConfiguration`, with the checks that span keys:
/// required keys, the region of interest inside the frame, model paths, the trigger's input.
struct ConfigurationBuilder {
    let path: String
    let sections: [String: [CheckedSection]]

    /// The section as written, or all defaults when the file leaves it out.
    func section(_ name: String) -> CheckedSection {
        sections[name]?.first ?? CheckedSection(name: name, line: nil)
    }

    func fail(_ line: Int?, _ kind: ConfigError.Kind) -> ConfigError {
        ConfigError(path: path, line: line, kind: kind)
    }

    func build() throws(ConfigError) -> LinesideConfiguration {
        let camera = section("camera")
        let source: LinesideConfiguration.Source
        if camera.string("source") == "replay" {
            source = .replay(try replaySettings(source: camera))
        } else {
            source = .camera(try cameraSettings(camera))
        }
        var lineBuilder = LineSettingsBuilder(builder: self)
        let lines = try lineBuilder.build()
        return LinesideConfiguration(source: source, lines: lines, service: try serviceSettings())
    }

    func cameraSettings(_ camera: CheckedSection) throws(ConfigError) -> CameraSettings {
        guard let device = camera.optionalString("device") else {
            throw fail(camera.line, .missingKey(key: "device", section: "[camera]", reason: "required when source = \"camera\""))
        }
        let width = camera.int("width"), height = camera.int("height")
        var region: PixelRect? = nil
        if let roi = camera.optionalInts("roi") {
            let rect = PixelRect(x: roi[0], y: roi[1], width: roi[2], height: roi[3])
            guard rect.fits(width: width, height: height) else {
                throw fail(camera.line(of: "roi"), .roiOutsideFrame(roi: camera.value("roi")!.description, width: width, height: height))
            }
            region = rect
        }
        let controls = CameraControls(exposure: camera.optionalInt("exposure").map(Int32.init),
                                      gain: camera.optionalInt("gain").map(Int32.init),
                                      whiteBalanceTemperature: camera.optionalInt("white_balance").map(Int32.init),
                                      focus: camera.optionalInt("focus").map(Int32.init))
        let configuration = CameraConfiguration(device: device, width: width, height: height,
                                                pixelFormat: Self.pixelFormat(camera.string("pixel_format")),
                                                framesPerSecond: camera.optionalInt("fps"), strict: camera.bool("strict"),
                                                controls: controls, regionOfInterest: region,
                                                bufferCount: camera.int("buffers"))
        let initial = camera.int("reconnect_initial_ms"), maximum = camera.int("reconnect_max_ms")
        guard maximum >= initial else {
            throw fail(camera.line(of: "reconnect_max_ms"),
                       .outOfRange(key: "reconnect_max_ms", section: "[camera]", value: String(maximum),
                                   allowed: "at least reconnect_initial_ms = \(initial)"))
        }
        // Unwritten, the fault wait is the schema's default or two frame timeouts, whichever is longer,
        // so raising timeout_ms alone never makes one timeout a fault.
        let timeout = camera.int("timeout_ms")
        let faultAfter = camera.has("fault_after_ms") ? camera.int("fault_after_ms") : max(camera.int("fault_after_ms"), 2 * timeout)
        guard faultAfter > timeout else {
            throw fail(camera.line(of: "fault_after_ms") ?? camera.line(of: "timeout_ms"),
                       .outOfRange(key: "fault_after_ms", section: "[camera]", value: String(faultAfter),
                                   allowed: "more than timeout_ms = \(timeout) (one timeout is not a fault)"))
        }
        let reconnect = ReconnectPolicy(initialDelay: .milliseconds(initial), multiplier: 2, maximumDelay: .milliseconds(maximum),
                                        restartAfterConsecutiveTimeouts: camera.int("restart_after_timeouts"))
        return CameraSettings(configuration: configuration, frameTimeout: camera.milliseconds("timeout_ms"), reconnect: reconnect,
                              faultAfter: .milliseconds(faultAfter))
    }

    static func pixelFormat(_ name: String) -> PixelFormat {
        switch name {
        case "GREY": .grey
        case "RGB3": .rgb24
        case "MJPG": .mjpeg
        default: .yuyv
        }
    }

    func replaySettings(source camera: CheckedSection) throws(ConfigError) -> ReplaySettings {
        let replay = section("replay")
        guard let folder = replay.optionalString("folder") else {
            throw fail(replay.line ?? camera.line(of: "source"),
                       .missingKey(key: "folder", section: "[replay]", reason: "required when [camera] source = \"replay\""))
        }
        return ReplaySettings(folder: folder, framesPerSecond: replay.optionalDouble("fps"), loops: replay.bool("loop"))
    }

    func modelSettings() throws(ConfigError) -> ModelSettings {
        let model = section("model")
        let settings = ModelSettings(path: model.string("path"), previousPath: model.string("previous_path"),
                                     threads: model.int("threads"),
                                     noModelPolicy: model.string("no_model_policy") == "pass" ? .pass : .reject)
        guard settings.path != settings.previousPath else {
            throw fail(model.line(of: model.has("previous_path") ? "previous_path" : "path"),
                       .invalid("[model] previous_path must not be the model's own path \(settings.path)"))
        }
        return settings
    }

    func calibrationSettings() -> CalibrationSettings {
        let calibration = section("calibration")
        var fit = FitSettings()
        fit.dimensions = calibration.int("dimensions")
        fit.seed = UInt64(calibration.int("seed"))
        fit.holdoutFraction = calibration.double("holdout")
        fit.margin = Float(calibration.double("margin"))
        return CalibrationSettings(frames: calibration.int("frames"),
                                   minimumSpacing: calibration.milliseconds("min_spacing_ms"), fit: fit)
    }

    func serviceSettings() throws(ConfigError) -> ServiceSettings {
        let service = section("service")
        let settings = try serviceSections()
        if settings.trigger == .partPresent, sections["part_trigger"] == nil {
            throw fail(service.line(of: "trigger"),
                       .missingSection("[part_trigger]", reason: "needed when [service] trigger = \"part-present\""))
        }
        return settings
    }

    /// [model], [calibration] and [service] without the checks that need other sections.
    func serviceSections() throws(ConfigError) -> ServiceSettings {
        let service = section("service")
        var settings = ServiceSettings(model: try modelSettings(), calibration: calibrationSettings(),
                                       trigger: ServiceSettings.Trigger(rawValue: service.string("trigger")) ?? .freeRun,
                                       statusFile: service.string("status_file"),
                                       statusInterval: service.milliseconds("status_interval_ms"),
                                       logLevel: ServiceSettings.LogLevel(rawValue: service.string("log_level")) ?? .info)
        settings.mqtt = try mqttSettings()
        settings.drift = driftSettings()
        settings.archive = archiveSettings(modelPath: settings.model.path)
        settings.hmi = try hmiSettings()
        settings.registration = registrationSettings()
        return settings
    }

    /// A file with no sections: every key at its default.
    static var defaults: ConfigurationBuilder { ConfigurationBuilder(path: "(defaults)", sections: [:]) }
}
