import Backbone
import ImageCodec
import Imaging
import Platform
import SafeTensors

enum FeaturesCommand {
    static let help = """
    usage: lineside features --out FILE IMAGE...

    Runs the int8 backbone on each image and writes its three taps, dequantized to float32, as
    safetensors tensors "<n>.stride4", "<n>.stride8", "<n>.stride16" ([H, W, C], n = image order),
    plus "<n>.input" (the 224x224x3 uint8 crop). tools/compare.py reads it to measure fidelity
    against the float32 reference.
    """

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, valued: ["out"], switches: ["help"])
        if args.has("help") { print(help); return 0 }
        let out = try args.required("out")
        guard !args.positionals.isEmpty else { throw UsageError("give at least one image") }
        try FileIO.checkWritable(out)
        let backbone = try Runtime.backbone(threads: 1)
        var preprocessor = Preprocessor()
        var writer = SafeTensorsWriter()
        for (n, path) in args.positionals.enumerated() {
            let image = try ImageDecoder.read(path)
            preprocessor.prepare(image, into: backbone.input)
            try backbone.run()
            writer.add("\(n).input", dtype: .u8, shape: [224, 224, 3], elements: backbone.input.map { UInt8(bitPattern: $0) ^ 0x80 })
            for tap in backbone.taps {
                let q = tap.info.quantization
                writer.add("\(n).\(tap.tap.name)", dtype: .f32, shape: [tap.info.height, tap.info.width, tap.info.channels],
                           elements: tap.values.map { q.dequantize($0) })
            }
            writer.metadata["\(n)"] = path
        }
        try FileIO.writeAtomically(writer.serialized(), to: out)
        return 0
    }
}
