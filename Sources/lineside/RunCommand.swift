import Capture
import CaptureV4L2
import Configuration
import HMI
import ImageCodec
import LineIO
import LineIOGPIOD
import Logging
import PlantLink
import RejectArchive
import Service

enum RunCommand {
    static let help = """
    usage: lineside run [--config FILE]

    The line-side service: captures from the configured camera (or replay folder), inspects each
    part, drives the reject line and the lights, and calibrates on a long press of the button.
    Runs until SIGTERM or SIGINT; every output is left in its safe state. Under systemd it reports
    readiness and pets the watchdog (Type=notify). Default configuration: /etc/lineside/lineside.conf.
    Exit status: 0 after a clean stop, 1 when the configuration, the GPIO lines or the backbone fail.
    """

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, valued: ["config"], switches: ["help"])
        if args.has("help") { print(help); return 0 }
        let signals = SignalWatcher()  // before any thread starts: they inherit the blocked mask
        let config = try LinesideConfiguration.load(path: args.string("config") ?? ConfigSchema.defaultPath)
        let level: Logger.Level = switch config.service.logLevel {
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
        let logger = LogSetup.bootstrap(level: level)
        let settings = config.service
        if let parent = directoryOf(settings.statusFile) { try? Directory.create(parent) }
        let backbone = try Runtime.backbone(threads: settings.model.threads)
        let core = ServiceCore(backbone: backbone, settings: settings, logger: logger)
        let plantLink = try PlantLinkSetup.start(settings.mqtt, logger: logger)
        defer { plantLink?.stop() }
        let archive = try settings.archive.map { settings throws(ArchiveError) in try RejectArchive(settings: settings, logger: logger) }
        defer { archive?.stop() }
        let requests = ServiceRequests()
        let hmi = try HMISetup.start(settings.hmi, archive: archive, core: core, backbone: backbone, requests: requests, logger: logger)
        defer { hmi?.stop() }
        core.resultSink = ResultSinks.combine([plantLink, archive, hmi])

        var environment: ServiceRunner.Environment
        switch config.source {
        case .camera(let camera):
            environment = ServiceRunner.Environment(
                makeSource: { clock in
                    V4L2Cameras.camera(camera.configuration, policy: camera.reconnect, clock: clock) { event in
                        logger.info("camera: \(event)")
                    }
                },
                makeLineDriver: { GPIODLineDriver() }, lineConfiguration: config.lines)
            environment.regionOfInterest = camera.configuration.regionOfInterest
            environment.frameTimeout = camera.frameTimeout
            environment.faultAfter = camera.faultAfter
        case .replay(let replay):
            environment = ServiceRunner.Environment(
                makeSource: { clock in
                    ReplaySource(folder: replay.folder, framesPerSecond: replay.framesPerSecond, loops: replay.loops,
                                 clock: clock, loader: { try ImageDecoder.read($0) })
                },
                makeLineDriver: { GPIODLineDriver() }, lineConfiguration: config.lines)
            // A replay paced like a camera drops frames like one; at full speed every frame is inspected.
            environment.pacing = replay.framesPerSecond == nil ? .backPressure : .live
        }
        environment.requests = requests
        if hmi != nil { environment.overviewEvery = HMIServer.liveInterval }
        environment.prepareLineThread = {
            // Pulses on time under inference load: the line I/O thread runs SCHED_FIFO (needs
            // CAP_SYS_NICE, which board/lineside.service grants); without it, say so once.
            if let error = RealtimePriority.makeCurrentThreadFIFO() {
                logger.warning("line I/O thread stays at normal priority (SCHED_FIFO refused: \(error)); reject timing may jitter under load")
            }
        }
        environment.shouldStop = {
            guard let signal = signals.takePending() else { return false }
            logger.notice("\(SignalWatcher.name(of: signal)) received")
            return true
        }
        logger.notice("lineside starting", metadata: ["config": "\(args.string("config") ?? ConfigSchema.defaultPath)"])
        return try ServiceRunner(core: core, environment: environment, logger: logger).run()
    }

    static func directoryOf(_ path: String) -> String? {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return nil }
        return String(path[..<slash])
    }
}

import Platform

enum SafeOutputsCommand {
    static let help = """
    usage: lineside safe-outputs [--config FILE]

    Drives every configured output (reject lines, lights) to its safe value and releases it. For
    systemd's ExecStopPost, so the outputs are safe even after the service was killed. Exit 1 if
    any output could not be driven.
    """

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, valued: ["config"], switches: ["help"])
        if args.has("help") { print(help); return 0 }
        let config = try LinesideConfiguration.load(path: args.string("config") ?? ConfigSchema.defaultPath)
        let results = ForceSafeOutputs.run(config.lines.outputs)
        print(ForceSafeOutputs.render(results))
        return results.contains { $0.error != nil } ? 1 : 0
    }
}
