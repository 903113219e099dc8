import Backbone
import ImageCodec
import Imaging
import Platform
import SafeTensors

enum FeaturesCommand {
    static var help: String { """
    usage: lineside features [--precision int8|float32-prefix] --out FILE IMAGE...

    Runs the backbone (default precision \(BackbonePrecision.standard.name)) on each image and writes its three taps, dequantized to float32, as
    safetensors tensors "<n>.stride4", "<n>.stride8", "<n>.stride16" ([H, W, C], n = image order),
    plus "<n>.input" (the 224x224x3 uint8 crop); metadata "float_prefix_layers" says how many leading
    layers ran in float32 (0 for int8). tools/compare.py reads it to measure fidelity
    against the float32 reference.
    """ }

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, valued: ["out", "precision"], switches: ["help"])
        if args.has("help") { print(help); return 0 }
        let out = try args.required("out")
        let precision = try args.precision()
        guard !args.positionals.isEmpty else { throw UsageError("give at least one image") }
        try FileIO.checkWritable(out)
        let backbone = try Runtime.backbone(threads: 1)
        var preprocessor = Preprocessor()
        var writer = SafeTensorsWriter()
        for (n, path) in args.positionals.enumerated() {
            let image = try ImageDecoder.read(path)
            preprocessor.prepare(image, into: backbone.input)
            try backbone.run(precision)
            writer.add("\(n).input", dtype: .u8, shape: [224, 224, 3], elements: backbone.input.map { UInt8(bitPattern: $0) ^ 0x80 })
            for tap in backbone.taps {
                let q = tap.info.quantization
                writer.add("\(n).\(tap.tap.name)", dtype: .f32, shape: [tap.info.height, tap.info.width, tap.info.channels],
                           elements: tap.values.map { q.dequantize($0) })
            }
            writer.metadata["\(n)"] = path
        }
        writer.metadata["precision"] = precision.metadataValue
        writer.metadata["float_prefix_layers"] = String(precision == .float32Prefix ? Int8Backbone.floatPrefixLayers : 0)
        try FileIO.writeAtomically(writer.serialized(), to: out)
        return 0
    }
}
