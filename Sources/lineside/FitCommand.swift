import Backbone
import Configuration
import Inspection
import Padim
import Platform
import Service

enum FitCommand {
    static var help: String {
        let d = FitSettings()
        return """
    usage: lineside fit --images DIR --model OUT [options]
           lineside fit --camera [--config FILE] [--model OUT] [--frames N] [options]

    Fits a PaDiM model from the PNG/JPEG images of good parts in DIR and saves it atomically to OUT
    (the model it replaces is kept as OUT's .previous.safetensors, for 'lineside rollback'). Memory does not grow with the number of images.

      --images DIR        folder of good images (needs at least 2 fitted + hold-out)
      --camera            capture the good parts from the configured source instead (the
                          configuration's [camera]/[replay], region of interest and
                          [calibration] frames and spacing; --model defaults to its [model] path)
      --config FILE       configuration for --camera (default /etc/lineside/lineside.conf)
      --frames N          frames to capture with --camera (default: [calibration] frames)
      --model OUT         model file to write (safetensors)
      --holdout F         fraction held out to set the threshold (default \(d.holdoutFraction); 0 = in-sample)
      --margin M          threshold = M x highest held-out score (default \(d.margin))
      --dimensions D      random feature channels kept (default \(d.dimensions) of 176)
      --seed S            seed of the channel draw (default \(d.seed))
      --threads N         backbone threads (default 2)
      --precision P       how the backbone computes the features: \(BackbonePrecision.standard.name) (default: its
                          first \(Int8Backbone.floatPrefixLayers) layers in float32, the rest int8) or int8 (every
                          layer, as models fitted before the float32 prefix); the model records it
      --no-register       no position correction: the model neither makes nor stores a
                          registration reference (default: the good parts are registered to their
                          mean, the reference is stored, parts are corrected before PaDiM)
    """
    }

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, valued: ["images", "model", "holdout", "margin", "dimensions", "seed", "threads", "config", "frames", "precision"],
                                 switches: ["help", "camera", "no-register"])
        if args.has("help") { print(help); return 0 }
        if args.has("camera") { return try CameraFit.run(args) }
        let folder = try args.required("images"), output = try args.required("model")
        var settings = FitSettings()
        settings.holdoutFraction = try args.double("holdout", default: settings.holdoutFraction, range: 0...0.5)
        settings.margin = Float(try args.double("margin", default: Double(settings.margin), range: 1...10))
        settings.dimensions = try args.int("dimensions", default: settings.dimensions, range: 1...176)
        settings.seed = UInt64(try args.int("seed", default: Int(settings.seed), range: 0...Int.max))
        let threads = try args.int("threads", default: 2, range: 1...64)
        let precision = try args.precision()

        let paths = try ImageFolder.list(folder)
        try FileIO.checkWritable(output)  // a folder, a FIFO or a missing folder: said now, not after the fit
        let backbone = try Runtime.backbone(threads: threads)
        let start = SystemClock.shared.nowNs
        let registration = args.has("no-register") ? nil : try RegistrationFit.reference(paths: paths)
        let fitter = try Fitter(backbone: backbone, settings: settings, expectedImages: paths.count,
                                registration: registration?.reference, precision: precision)
        for (i, path) in paths.enumerated() {
            try fitter.add(path: path)
            Console.progress("fit: \(i + 1)/\(paths.count) images")
        }
        Console.endProgress()
        var model = try fitter.finish(extraFacts: ["source": folder].merging(registration?.facts ?? [:]) { a, _ in a })
        if fitter.report.heldOut == 0 {
            try Fitter.thresholdFromInSample(&model, backbone: backbone, paths: paths, margin: settings.margin)
        }
        let previous = RollbackCommand.defaultPrevious(for: output, ServiceSettings.defaults)
        try model.save(output, keepPrevious: Directory.exists(output) ? previous : nil)
        let report = fitter.report
        print("fitted \(report.fitted) images (\(report.heldOut) held out) in \(fixed(Double(SystemClock.shared.nowNs - start) / 1e9, 1)) s")
        if let registration { print(registration.summary + ", \(report.notLocated) beyond the tolerance (fitted uncorrected)") }
        print("backbone precision: \(precision.metadataValue)")
        print("threshold \(fixed(model.threshold, 3)) (\(model.facts["threshold_rule"] ?? ""))")
        print("model written to \(output)")
        print("peak memory \(fixed(ProcessMemory.peakMiB, 1)) MiB")
        return 0
    }
}
