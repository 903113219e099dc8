import Padim

/// Every section and key of /etc/lineside/lineside.conf, in one table: the parser checks files
/// against it, `LinesideConfiguration` reads its defaults from it, and `lineside check-config
/// --print-defaults` / `--print-reference` generate the documentation from it.
public enum ConfigSchema {
    public static let defaultPath = "/etc/lineside/lineside.conf"

    public static let sections: [ConfigSectionSpec] = [
        ConfigSectionSpec(name: "camera", repeated: false,
                          doc: "Where frames come from: a V4L2 camera (through libv4l2), or the [replay] folder."),
        ConfigSectionSpec(name: "replay", repeated: false,
                          doc: "A folder of PNG/JPEG images replayed as frames in name order, when [camera] source = \"replay\" (demos, tests)."),
        ConfigSectionSpec(name: "model", repeated: false,
                          doc: "The PaDiM model files and the backbone's threads."),
        ConfigSectionSpec(name: "calibration", repeated: false,
                          doc: "Fitting a model from good parts (a long press of the button starts it)."),
        ConfigSectionSpec(name: "lines", repeated: false,
                          doc: "GPIO settings shared by every line. Lines are a chip and an offset on it, never global GPIO numbers (board/gpio.md)."),
        ConfigSectionSpec(name: "reject", repeated: true,
                          doc: "One [[reject]] table per ejector output; at least one. Repeat the header for more ejectors."),
        ConfigSectionSpec(name: "pass_light", repeated: false, doc: "Optional output: lit for result_hold_ms after a passed part."),
        ConfigSectionSpec(name: "fail_light", repeated: false, doc: "Optional output: lit for result_hold_ms after a rejected part."),
        ConfigSectionSpec(name: "status_light", repeated: false,
                          doc: "Optional output: steady on: ready; slow blink: no model; fast blink: calibrating; double blink: fault; off: stopped."),
        ConfigSectionSpec(name: "button", repeated: false,
                          doc: "Optional input: the calibration button (long press starts a fit, short press cancels it)."),
        ConfigSectionSpec(name: "part_trigger", repeated: false,
                          doc: "Optional input: the part-present sensor; its active edge starts a capture (needs [service] trigger = \"part-present\")."),
        ConfigSectionSpec(name: "service", repeated: false, doc: "The running service: triggering, status file, logging."),
        ConfigSectionSpec(name: "mqtt", repeated: false,
                          doc: "The plant link: every part, the status and events as JSON (board/mqtt-schema.json) to an MQTT broker through libmosquitto; off without host."),
        ConfigSectionSpec(name: "drift", repeated: false,
                          doc: "Drift watch on good parts: the median score and the region's brightness and contrast against a reference (board/README.md, Drift watch)."),
        ConfigSectionSpec(name: "archive", repeated: false,
                          doc: "The reject archive: region picture, heatmap, score, threshold, time, reason and model of every rejected part (and every Nth passed one), bounded by count and bytes."),
        ConfigSectionSpec(name: "hmi", repeated: false,
                          doc: "The operator's web page (live view, counters, archive, score distribution, token-protected actions); off unless listen is set."),
        registrationSection,
    ]

    public static let keys: [ConfigKeySpec] = cameraKeys + replayKeys + modelKeys + calibrationKeys + lineKeys
        + outputLineKeys("reject", offset: 17, extra: rejectTimingKeys) + outputLineKeys("pass_light", offset: 27)
        + outputLineKeys("fail_light", offset: 22) + outputLineKeys("status_light", offset: 23)
        + inputLineKeys("button", offset: 24, activeLow: true, bias: "pull-up")
        + inputLineKeys("part_trigger", offset: 25, activeLow: false, bias: "pull-down")
        + serviceKeys + mqttKeys + driftKeys + archiveKeys + hmiKeys + registrationKeys

    public static let pixelFormats = ["YUYV", "GREY", "RGB3", "MJPG"]
    public static let biases = ["pull-up", "pull-down", "disable", "as-is"]

    static let cameraKeys: [ConfigKeySpec] = [
        ConfigKeySpec("camera", "source", .choice(["camera", "replay"]), default: .string("camera"),
                      doc: "\"camera\": the V4L2 device below; \"replay\": the images of [replay] folder."),
        ConfigKeySpec("camera", "device", .path, requirement: "required when source = \"camera\"",
                      example: .string("/dev/video0"),
                      doc: "A device path, or a name under /dev/v4l/by-id (stable across replugs and reboots: prefer it)."),
        ConfigKeySpec("camera", "width", .integer(16...8192), default: .integer(640),
                      doc: "Frame width in pixels asked of the driver (VIDIOC_S_FMT)."),
        ConfigKeySpec("camera", "height", .integer(16...8192), default: .integer(480),
                      doc: "Frame height in pixels (VIDIOC_S_FMT)."),
        ConfigKeySpec("camera", "pixel_format", .choice(pixelFormats), default: .string("YUYV"),
                      doc: "YUYV or GREY: raw sensor data; RGB3: libv4l2 converts YUYV or MJPEG; MJPG: compressed."),
        ConfigKeySpec("camera", "fps", .integer(1...1000), example: .integer(30),
                      doc: "Frame rate asked of the driver (VIDIOC_S_PARM); omit to keep the driver's."),
        ConfigKeySpec("camera", "strict", .boolean, default: .boolean(false),
                      doc: "true: an adjusted format or frame rate, or a missing control, stops the start; false: a warning."),
        ConfigKeySpec("camera", "buffers", .integer(2...32), default: .integer(4),
                      doc: "mmap buffers in the fixed pool (VIDIOC_REQBUFS)."),
        ConfigKeySpec("camera", "timeout_ms", .integer(10...60_000), default: .integer(2000),
                      doc: "Longest wait for one frame before it counts as a timeout."),
        ConfigKeySpec("camera", "restart_after_timeouts", .integer(1...100), default: .integer(3),
                      doc: "Consecutive timeouts after which the stream is reopened as if the camera was unplugged."),
        ConfigKeySpec("camera", "fault_after_ms", .integer(20...600_000), default: .integer(5000),
                      doc: "How long the camera may deliver no frame (timeouts, unplug, reopen attempts) before the service faults; must exceed timeout_ms (unwritten: 5000 or 2 x timeout_ms, the longer)."),
        ConfigKeySpec("camera", "reconnect_initial_ms", .integer(10...60_000), default: .integer(200),
                      doc: "First wait before reopening a lost camera; doubled after each failed attempt."),
        ConfigKeySpec("camera", "reconnect_max_ms", .integer(10...600_000), default: .integer(5000),
                      doc: "Longest wait between two reopen attempts (they go on for ever)."),
        ConfigKeySpec("camera", "roi", .integers(count: 4, 0...8192), example: .array([.integer(80), .integer(0), .integer(480), .integer(480)]),
                      doc: "Region handed to the model, [x, y, width, height] in pixels, inside the frame; omit for the whole frame."),
        ConfigKeySpec("camera", "exposure", .integer(1...Int(Int32.max)), example: .integer(100),
                      doc: "Manual exposure in 100 us units (V4L2_CID_EXPOSURE_ABSOLUTE); omit to leave auto exposure on."),
        ConfigKeySpec("camera", "gain", .integer(0...Int(Int32.max)), example: .integer(16),
                      doc: "Manual gain (V4L2_CID_GAIN); omit to leave auto gain on."),
        ConfigKeySpec("camera", "white_balance", .integer(1000...20_000), example: .integer(4600),
                      doc: "White balance temperature in kelvin (V4L2_CID_WHITE_BALANCE_TEMPERATURE); omit for auto."),
        ConfigKeySpec("camera", "focus", .integer(0...Int(Int32.max)), example: .integer(0),
                      doc: "Manual focus (V4L2_CID_FOCUS_ABSOLUTE); omit to leave autofocus alone."),
    ]

    static let replayKeys: [ConfigKeySpec] = [
        ConfigKeySpec("replay", "folder", .path, requirement: "required when source = \"replay\"",
                      example: .string("/var/lib/lineside/replay"), doc: "Folder of PNG/JPEG images, replayed in name order."),
        ConfigKeySpec("replay", "fps", .float(0.1...1000), example: .float(10),
                      doc: "Replay rate in frames per second; omit to replay as fast as inspection goes."),
        ConfigKeySpec("replay", "loop", .boolean, default: .boolean(true),
                      doc: "Start again from the first image after the last."),
    ]

    static let modelKeys: [ConfigKeySpec] = [
        ConfigKeySpec("model", "path", .path, default: .string("/var/lib/lineside/model.safetensors"),
                      doc: "The model in use; a calibration replaces it atomically."),
        ConfigKeySpec("model", "previous_path", .path, default: .string("/var/lib/lineside/model.previous.safetensors"),
                      doc: "Where the replaced model is kept (`lineside rollback` restores it)."),
        ConfigKeySpec("model", "threads", .integer(1...8), default: .integer(2),
                      doc: "Backbone threads (XNNPACK thread pool)."),
        ConfigKeySpec("model", "no_model_policy", .choice(["reject", "pass"]), default: .string("reject"),
                      doc: "What happens to parts while no usable model is loaded."),
    ]

    /// The fit's defaults live with the fit (Padim's `FitSettings`); the schema shows them.
    static let fitDefaults = FitSettings()

    static let calibrationKeys: [ConfigKeySpec] = [
        ConfigKeySpec("calibration", "frames", .integer(10...10_000), default: .integer(100),
                      doc: "Good frames captured for one fit."),
        ConfigKeySpec("calibration", "min_spacing_ms", .integer(0...60_000), default: .integer(0),
                      doc: "Shortest time between two frames taken for the fit (0: every frame)."),
        ConfigKeySpec("calibration", "holdout", .float(0...0.5), default: .float(fitDefaults.holdoutFraction),
                      doc: "Fraction of the frames held out of the fit to set the threshold (0: in-sample, optimistic)."),
        ConfigKeySpec("calibration", "margin", .float(1...10), default: .float((Double(fitDefaults.margin) * 1e6).rounded() / 1e6),
                      doc: "Threshold = margin x the highest held-out score."),
        ConfigKeySpec("calibration", "dimensions", .integer(1...176), default: .integer(fitDefaults.dimensions),
                      doc: "Random backbone channels kept by PaDiM (of 176)."),
        ConfigKeySpec("calibration", "seed", .integer(0...Int.max), default: .integer(Int(fitDefaults.seed)),
                      doc: "Seed of the channel draw."),
    ]

    static let lineKeys: [ConfigKeySpec] = [
        ConfigKeySpec("lines", "chip", .chip, example: .string("label=pinctrl-bcm2711"),
                      doc: "Chip of every line that names none; a label (label=pinctrl-bcm2711) survives kernel updates best."),
        ConfigKeySpec("lines", "debounce_ms", .integer(1...1000), default: .integer(30),
                      doc: "The button must hold a level this long before it counts."),
        ConfigKeySpec("lines", "long_press_ms", .integer(100...60_000), default: .integer(2000),
                      doc: "A press at least this long starts a calibration; must be longer than debounce_ms."),
        ConfigKeySpec("lines", "trigger_holdoff_ms", .integer(0...10_000), default: .integer(5),
                      doc: "Part-trigger edges closer than this to the last accepted one are ignored (sensor bounce)."),
        ConfigKeySpec("lines", "fail_safe", .choice(["reject", "pass"]), default: .string("reject"),
                      doc: "Fate of a part whose inspection failed or whose verdict came after its pulse had to start."),
        ConfigKeySpec("lines", "result_hold_ms", .integer(0...60_000), default: .integer(500),
                      doc: "How long the pass or fail light shows a part's result."),
        ConfigKeySpec("lines", "max_parts_in_flight", .integer(1...100_000), default: .integer(256),
                      doc: "Parts between camera and ejector per reject line; more is an error, never a silent drop."),
    ]

    static let rejectTimingKeys: [ConfigKeySpec] = [
        ConfigKeySpec("reject", "pulse_ms", .integer(1...10_000), default: .integer(50),
                      doc: "How long the ejector is driven for one part."),
        ConfigKeySpec("reject", "delay_ms", .integer(0...60_000), default: .integer(0),
                      doc: "From the capture timestamp to the pulse start: the part's travel time to this ejector."),
        ConfigKeySpec("reject", "min_gap_ms", .integer(0...10_000), default: .integer(0),
                      doc: "Shortest off time between two pulses (a solenoid's return); closer pulses merge into one."),
    ]

    static func lineAddressKeys(_ section: String, offset: Int) -> [ConfigKeySpec] {
        [
            ConfigKeySpec(section, "chip", .chip, requirement: "required unless [lines] chip is set",
                          example: .string("label=pinctrl-bcm2711"), doc: "The line's chip; default: [lines] chip."),
            ConfigKeySpec(section, "offset", .integer(0...65_535), requirement: "required", example: .integer(offset),
                          doc: "The line's offset on its chip (on a Raspberry Pi: the BCM GPIO number)."),
        ]
    }

    static func outputLineKeys(_ section: String, offset: Int, extra: [ConfigKeySpec] = []) -> [ConfigKeySpec] {
        lineAddressKeys(section, offset: offset) + [
            ConfigKeySpec(section, "active_low", .boolean, default: .boolean(false),
                          doc: "The pin is driven low when the output is active (relay boards with active-low inputs)."),
        ] + extra
    }

    static func inputLineKeys(_ section: String, offset: Int, activeLow: Bool, bias: String) -> [ConfigKeySpec] {
        lineAddressKeys(section, offset: offset) + [
            ConfigKeySpec(section, "active_low", .boolean, default: .boolean(activeLow),
                          doc: "The input is active when the pin is low."),
            ConfigKeySpec(section, "bias", .choice(biases), default: .string(bias),
                          doc: "Internal pull resistor asked of the kernel (\"as-is\": leave the firmware's)."),
        ]
    }

    static let serviceKeys: [ConfigKeySpec] = [
        ConfigKeySpec("service", "trigger", .choice(["free-run", "part-present"]), default: .string("free-run"),
                      doc: "\"free-run\": inspect every frame; \"part-present\": capture on each [part_trigger] edge."),
        ConfigKeySpec("service", "status_file", .path, default: .string("/run/lineside/status"),
                      doc: "State and counters, rewritten atomically (read by `lineside status`)."),
        ConfigKeySpec("service", "status_interval_ms", .integer(100...60_000), default: .integer(1000),
                      doc: "How often the status file is rewritten."),
        ConfigKeySpec("service", "log_level", .choice(["debug", "info", "warning", "error"]), default: .string("info"),
                      doc: "Least severe message written to the journal."),
    ]

    public static func section(named name: String) -> ConfigSectionSpec? { sections.first { $0.name == name } }

    public static func key(_ name: String, in section: String) -> ConfigKeySpec? {
        keys.first { $0.section == section && $0.name == name }
    }

    public static func keys(in section: String) -> [ConfigKeySpec] { keys.filter { $0.section == section } }
}
