import DemoScene
import ImageCodec
import Imaging
import Platform

enum GenerateCommand {
    static let help = """
    usage: lineside generate --out DIR [--good N] [--defective N] [--size S] [--first K]

    Writes generated part images as PNG: DIR/good_NNNN.png and DIR/<defect>_NNNN.png (scratch,
    stain, notch in turn). The demo, the tests and the benchmarks use these instead of a download.
    """

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try Arguments(argv, valued: ["out", "good", "defective", "size", "first"], switches: ["help"])
        if args.has("help") { print(help); return 0 }
        let out = try args.required("out")
        let good = try args.int("good", default: 10, range: 0...100_000)
        let defective = try args.int("defective", default: 0, range: 0...100_000)
        let first = try args.int("first", default: 0, range: 0...1_000_000)
        let renderer = PartRenderer(size: try args.int("size", default: 256, range: 32...4096))
        try Directory.create(out)
        func name(_ prefix: String, _ i: Int) -> String {
            let digits = String(i)
            return "\(out)/\(prefix)_\(String(repeating: "0", count: max(0, 4 - digits.count)))\(digits).png"
        }
        for i in first..<(first + good) { try PNGEncoder.write(renderer.render(index: i), to: name("good", i)) }
        let defects = PartRenderer.Defect.allCases
        for i in first..<(first + defective) {
            let defect = defects[i % defects.count]
            try PNGEncoder.write(renderer.render(index: 10_000 + i, defect: defect), to: name(defect.rawValue, i))
        }
        print("wrote \(good) good and \(defective) defective images to \(out)")
        return 0
    }
}
