import Imaging
import ImageCodec
import Padim
import Platform

/// Scores an MVTec-AD-layout category (test/<type>/*.png, ground_truth/<type>/<stem>_mask.png)
/// and computes image and pixel AUROC, overall and per defect type (that type against 'good').
public struct Evaluation: Sendable {
    public struct Item: Sendable {
        public let file: String      // relative to the category folder
        public let type: String
        public let score: Float
    }

    public struct Metrics: Sendable {
        public let type: String
        public let images: Int
        public let imageAUROC: Double?
        public let pixelAUROC: Double?
    }

    public var items: [Item] = []
    public var metrics: [Metrics] = []
    public var seconds: Double = 0
    /// Test images whose position was beyond the registration tolerance (scored uncorrected).
    public var notLocated = 0

    /// The mask as the model sees its image: nearest resize to 256x256, centre crop 224x224, > 0.
    public static func maskPixels(_ mask: Image) -> [Bool] {
        let size = Preprocessor.resizeTo, crop = Preprocessor.cropTo, offset = Preprocessor.cropOffset
        var out = [Bool](repeating: false, count: crop * crop)
        for y in 0..<crop {
            let sy = min(mask.height - 1, Int((Double(y + offset) + 0.5) * Double(mask.height) / Double(size)))
            for x in 0..<crop {
                let sx = min(mask.width - 1, Int((Double(x + offset) + 0.5) * Double(mask.width) / Double(size)))
                out[y * crop + x] = mask.pixels[(sy * mask.width + sx) * mask.layout.channels] > 0
            }
        }
        return out
    }

    public static func run(inspector: Inspector, category: String, progress: (Int, Int) -> Void = { _, _ in }) throws(InspectionError) -> Evaluation {
        let testRoot = category + "/test"
        let types: [String]
        do { types = try Directory.entries(testRoot).filter { Directory.isDirectory(testRoot + "/" + $0) } } catch {
            throw .dataset(path: testRoot, reason: "no test folder (expected MVTec AD layout: test/<type>/*.png)")
        }
        guard types.contains("good"), types.count >= 2 else {
            throw .dataset(path: testRoot, reason: "needs test/good and at least one defect type")
        }
        var files: [(type: String, path: String, name: String)] = []
        for type in types {
            for path in try ImageFolder.list(testRoot + "/" + type) {
                files.append((type, path, String(path.split(separator: "/").last!)))
            }
        }
        var evaluation = Evaluation()
        var pixelScores: [Float] = []
        var pixelLabels: [Bool] = []
        var masksFound = false
        let pixelsPerImage = Preprocessor.cropTo * Preprocessor.cropTo
        pixelScores.reserveCapacity(files.count * pixelsPerImage)
        for (index, file) in files.enumerated() {
            let image: Image
            do { image = try ImageDecoder.read(file.path) } catch { throw .image(error) }
            let score = try inspector.inspect(image)
            if let view = inspector.lastView, !view.located { evaluation.notLocated += 1 }
            evaluation.items.append(Item(file: "test/\(file.type)/\(file.name)", type: file.type, score: score))
            // The map where the defect is in the image as captured (the masks are the image's): a
            // corrected part's map is drawn back through the inverse of its correction.
            pixelScores += try inspector.anomalyMapAsCaptured()
            var labels = [Bool](repeating: false, count: pixelsPerImage)
            if file.type != "good" {
                let stem = file.name.split(separator: ".").dropLast().joined(separator: ".")
                let maskPath = "\(category)/ground_truth/\(file.type)/\(stem)_mask.png"
                if Directory.exists(maskPath) {
                    do { labels = maskPixels(try ImageDecoder.read(maskPath)) } catch { throw .image(error) }
                    masksFound = true
                }
            }
            pixelLabels += labels
            progress(index + 1, files.count)
        }

        func metrics(for type: String?) -> Metrics {
            let chosen = evaluation.items.indices.filter { type == nil || evaluation.items[$0].type == type || evaluation.items[$0].type == "good" }
            let image = ROC.auc(scores: chosen.map { evaluation.items[$0].score }, positives: chosen.map { evaluation.items[$0].type != "good" })
            var pixel: Double? = nil
            if masksFound {
                if type == nil {
                    pixel = ROC.auc(scores: pixelScores, positives: pixelLabels)
                } else {
                    var s: [Float] = [], l: [Bool] = []
                    for item in chosen {
                        let block = (item * pixelsPerImage)..<((item + 1) * pixelsPerImage)
                        s += pixelScores[block]
                        l += pixelLabels[block]
                    }
                    pixel = ROC.auc(scores: s, positives: l)
                }
            }
            return Metrics(type: type ?? "all", images: chosen.count, imageAUROC: image, pixelAUROC: pixel)
        }
        evaluation.metrics.append(metrics(for: nil))
        for type in types where type != "good" { evaluation.metrics.append(metrics(for: type)) }
        return evaluation
    }

    public var json: JSON {
        func number(_ x: Double?) -> JSON { x.map { .number($0) } ?? .null }
        return .object([
            "metrics": .array(metrics.map { m in
                .object(["type": .string(m.type), "images": .number(Double(m.images)),
                         "image_auroc": number(m.imageAUROC), "pixel_auroc": number(m.pixelAUROC)])
            }),
            "scores": .array(items.map { .object(["file": .string($0.file), "type": .string($0.type), "score": .number(Double($0.score))]) }),
            "seconds": .number(seconds),
            "not_located": .number(Double(notLocated)),
        ])
    }
}
