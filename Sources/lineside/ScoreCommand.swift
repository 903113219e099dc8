import ImageCodec
import Imaging
import Inspection
import Platform

enum ScoreCommand {
    static let help = """
    usage: lineside score --model M [--heatmap DIR] [--factor int8|float16] IMAGE...

    Prints one line per image: score, verdict (OK or REJECT against the model's threshold), file.
    For a model fitted with registration, also the part's offset against the calibration reference,
    and NOT-LOCATED (rejected) for a part beyond the default tolerance ([registration] in
    board/README.md). Exits 1 if any image could not be read (the others are still scored).

      --model M        model file from 'lineside fit'
      --heatmap DIR    also write DIR/<folder>_<name>.heatmap.png: the 224x224 view the model saw,
                       with the anomaly map over it (red = at the threshold) and a red frame
                       around rejected parts; a corrected part's map is drawn back onto the
                       image as captured, so the defect shows where it is
      --threads N      backbone threads (default 2)
      --factor E       int8 (default: per-row scale, quantised at load) or float16 (the file's values)
    """

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, valued: ["model", "heatmap", "threads", "factor"], switches: ["help"])
        if args.has("help") { print(help); return 0 }
        guard !args.positionals.isEmpty else { throw UsageError("give at least one image") }
        let heatmaps = args.string("heatmap")
        if let heatmaps { try FileIO.checkWritable(heatmaps + "/x.heatmap.png") }  // the folder, before the work
        let backbone = try Runtime.backbone(threads: try args.int("threads", default: 2, range: 1...64))
        let inspector = try Inspector(backbone: backbone, model: try Runtime.model(try args.required("model"), backbone: backbone),
                                      factor: try Runtime.factor(args))
        var failures = 0
        var preprocessor = Preprocessor()
        for path in args.positionals {
            do {
                let image = try ImageDecoder.read(path)
                let score = try inspector.inspect(image)
                if let view = inspector.lastView {
                    let offset = view.regionOffset
                    let verdict = !view.located ? "NOT-LOCATED" : inspector.isDefective(score: score) ? "REJECT" : "OK"
                    print("\(fixed(score, 3))\t\(verdict)\t\(path)\tdx \(fixed(offset.dx, 1)) px dy \(fixed(offset.dy, 1)) px angle \(fixed(view.alignment.angleDegrees, 2)) deg quality \(fixed(view.alignment.quality, 3))\(view.notLocated.map { " (\($0))" } ?? "")")
                } else {
                    print("\(fixed(score, 3))\t\(inspector.isDefective(score: score) ? "REJECT" : "OK")\t\(path)")
                }
                if let heatmaps {
                    let view = preprocessor.croppedRGB(image)
                    // <folder>_<file>.heatmap.png: test sets reuse file names across folders.
                    let parts = path.split(separator: "/").suffix(2)
                    let name = parts.joined(separator: "_")
                    try PNGEncoder.write(Heatmap.overlay(view, map: try inspector.anomalyMapAsCaptured(), threshold: inspector.threshold),
                                         to: heatmaps + "/" + name + ".heatmap.png")
                }
            } catch {
                Console.error("\(error)")
                failures += 1
            }
        }
        return failures == 0 ? 0 : 1
    }
}
