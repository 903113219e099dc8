import Inspection
import Platform
import Registration
import Service

enum EvalCommand {
    static let help = """
    usage: lineside eval --model M --dataset CATEGORY_DIR [--json FILE] [--factor int8|float16]

    Scores CATEGORY_DIR/test/<type>/*.png (MVTec AD layout) and prints image AUROC and, where
    ground_truth/<type>/<stem>_mask.png masks exist, pixel AUROC: overall and per defect type.

      --model M        model fitted on CATEGORY_DIR/train/good
      --dataset DIR    the category folder
      --json FILE      also write metrics and per-image scores as JSON ('-' for stdout)
      --threads N      backbone threads (default 2)
      --factor E       int8 (default: per-row scale, quantised at load) or float16 (the file's values)
      --no-register    inspect a model fitted with position correction without correcting
                       (positions are still measured and counted)
    """

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, valued: ["model", "dataset", "json", "threads", "factor"], switches: ["help", "no-register"])
        if args.has("help") { print(help); return 0 }
        let json = args.string("json")
        if let json, json != "-" { try FileIO.checkWritable(json) }  // before the work, not after it
        let backbone = try Runtime.backbone(threads: try args.int("threads", default: 2, range: 1...64))
        let tolerance = RegistrationTolerance()
        let inspector = try Inspector(backbone: backbone, model: try Runtime.model(try args.required("model"), backbone: backbone),
                                      factor: try Runtime.factor(args),
                                      registration: args.has("no-register") ? .measureOnly(tolerance) : .correct(tolerance))
        let start = (Double(SystemClock.shared.nowNs) / 1e9)
        var evaluation = try Evaluation.run(inspector: inspector, category: try args.required("dataset")) { done, total in
            Console.progress("eval: \(done)/\(total) images")
        }
        Console.endProgress()
        evaluation.seconds = (Double(SystemClock.shared.nowNs) / 1e9) - start
        if json != "-" {
            print("type".padding(16) + "images".padding(8) + "image AUROC".padding(13) + "pixel AUROC")
            for m in evaluation.metrics {
                print(m.type.padding(16) + String(m.images).padding(8) + (m.imageAUROC.map { fixed($0, 4) } ?? "-").padding(13)
                      + (m.pixelAUROC.map { fixed($0, 4) } ?? "-"))
            }
            if inspector.registrar != nil {
                print("registration \(args.has("no-register") ? "measured, not corrected" : "on"): \(evaluation.notLocated) of \(evaluation.items.count) images beyond the tolerance")
            }
            print("scored \(evaluation.items.count) images in \(fixed(evaluation.seconds, 1)) s, peak memory \(fixed(ProcessMemory.peakMiB, 1)) MiB")
        }
        if let json {
            let text = evaluation.json.serialized + "\n"
            if json == "-" { print(text, terminator: "") } else {
                try FileOutput.write(text, to: json)
            }
        }
        return 0
    }
}
