import Capture
import CaptureV4L2
import Configuration
import ImageCodec
import Imaging
import Inspection
import Platform
import Service

/// `lineside fit --camera`: the on-site calibration from the command line (the service must not
/// hold the camera meanwhile).
enum CameraFit {
    static func run(_ args: Arguments) throws -> Int32 {
        let config = try LinesideConfiguration.load(path: args.string("config") ?? ConfigSchema.defaultPath)
        let frames = try args.int("frames", default: config.service.calibration.frames, range: 3...100_000)
        let output = args.string("model") ?? config.service.model.path
        var settings = config.service.calibration.fit
        settings.holdoutFraction = try args.double("holdout", default: settings.holdoutFraction, range: 0...0.5)
        settings.margin = Float(try args.double("margin", default: Double(settings.margin), range: 1...10))
        let source: any FrameSource
        let roi: PixelRect?
        switch config.source {
        case .camera(let camera):
            source = V4L2Cameras.camera(camera.configuration, policy: camera.reconnect)
            roi = camera.configuration.regionOfInterest
        case .replay(let replay):
            source = ReplaySource(folder: replay.folder, framesPerSecond: replay.framesPerSecond, loops: true,
                                  loader: { try ImageDecoder.read($0) })
            roi = nil
        }
        let backbone = try Runtime.backbone(threads: try args.int("threads", default: config.service.model.threads, range: 1...64))
        let fitter = try Fitter(backbone: backbone, settings: settings, expectedImages: frames)
        try source.start()
        defer { source.stop() }
        let spacing = config.service.calibration.minimumSpacing
        var last: UInt64? = nil
        var taken = 0
        while taken < frames {
            let captured = try source.nextImage(timeout: .seconds(5), roi: roi, layout: nil)
            if let last, Duration.nanoseconds(Int64(captured.timestampNanoseconds &- last)) < spacing { continue }
            last = captured.timestampNanoseconds
            try fitter.add(captured.image)
            taken += 1
            Console.progress("fit: captured \(taken)/\(frames) frames")
        }
        Console.endProgress()
        let model = try fitter.finish(extraFacts: ["source": "camera \(source.name)"])
        try ModelStore(path: output, previousPath: output == config.service.model.path ? config.service.model.previousPath
                       : RollbackCommand.defaultPrevious(for: output, ServiceSettings.defaults)).save(model)
        print("fitted \(fitter.report.fitted) frames (\(fitter.report.heldOut) held out) from \(source.name)")
        print("threshold \(fixed(model.threshold, 3)) (\(model.facts["threshold_rule"] ?? ""))")
        print("model written to \(output)")
        return 0
    }
}
