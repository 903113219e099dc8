import Backbone
import Imaging
import Padim
import Registration

/// The per-frame path of the firmware: features, patch distances, anomaly map, image score, every
/// stage on the backbone's one thread pool (`Int8Backbone.pool`).
public final class Inspector {
    public let extractor: FeatureExtractor
    /// The model's threshold. The model's numbers themselves live only in the scorer's layout:
    /// keeping the file's copy as well would hold 32 MB twice.
    /// The HMI may change it within the loader's bounds (`ServiceCore.setThreshold`).
    public var threshold: Float
    private var scorer: PatchScorer
    public private(set) var anomaly: AnomalyMap
    /// The last patch-distance grid, [gridHeight][gridWidth].
    public internal(set) var grid: [Float]
    /// Position correction for a model fitted with it (`Inspector+Registration.swift`).
    public let registrar: Registrar?
    /// The last part's registration (nil for a model without it).
    public internal(set) var lastView: RegisteredView?

    /// How the firmware's scorer holds the whitening factor: int8 with a per-row scale. It reads half
    /// the bytes of float16 and measured no AUROC change on bottle and magnetic_tile (within 0.01
    /// point; scores within 0.5%): README, Evaluation.
    public static let defaultFactor: FactorEncoding = .int8

    /// `factor`: how the scorer holds the model's whitening factor (`FactorEncoding`).
    /// `registration`: how a model fitted with registration is inspected (ignored for others).
    public init(backbone: Int8Backbone, model: ModelFile, factor: FactorEncoding = Inspector.defaultFactor,
                registration: RegistrationUse = .correct(RegistrationTolerance())) throws(InspectionError) {
        guard model.backboneIdentity == backbone.identity else {
            throw .model(path: "model", reason: "fitted with another backbone")
        }
        // The int8 scorer reads the taps itself: no gathered feature block.
        let extractor = FeatureExtractor(backbone: backbone, channels: model.channels, precision: model.precision,
                                         gathers: factor != .int8)
        guard extractor.geometry == model.data.geometry else {
            throw .model(path: "model", reason: "geometry \(model.data.geometry) does not match the backbone's \(extractor.geometry)")
        }
        self.extractor = extractor
        threshold = model.threshold
        scorer = PatchScorer(model: model.data, encoding: factor)
        anomaly = AnomalyMap(gridHeight: model.data.geometry.gridHeight, gridWidth: model.data.geometry.gridWidth, size: Preprocessor.cropTo)
        grid = [Float](repeating: 0, count: model.data.geometry.positions)
        registrar = Self.makeRegistrar(model.registration, registration)
    }

    /// Patch distances of the image currently in the backbone's taps: read from the taps (int8
    /// factor) or from the gathered features (`baselineKernel`: benchmarks, float16 factor).
    public func scorePatches(baselineKernel: Bool = false) {
        if !extractor.gathers {
            precondition(!baselineKernel, "the baseline kernel is the float16 factor's")
            grid.withUnsafeMutableBufferPointer { scorer.score(taps: extractor.tapFeatures, into: $0, parallel: extractor.backbone.pool) }
            return
        }
        extractor.features.withUnsafeBufferPointer { f in
            grid.withUnsafeMutableBufferPointer {
                scorer.score(f, into: $0, parallel: extractor.backbone.pool, baselineKernel: baselineKernel)
            }
        }
    }

    /// Bytes of model the scoring reads per frame (the float16 factor and mean).
    public var scoringBytes: Int { scorer.modelBytes }

    /// Reads the model's bytes the way `scorePatches` does, and nothing else (the benchmark's floor).
    public func readModel(sums: UnsafeMutableBufferPointer<UInt64>) {
        scorer.readModel(parallel: extractor.backbone.pool, sums: sums)
    }

    /// Anomaly map and image score (its maximum) from the current grid.
    public func postprocess() -> Float {
        grid.withUnsafeBufferPointer { anomaly.compute($0, parallel: extractor.backbone.pool) }
    }

    /// The whole path for one image: returns the image score.
    public func inspect(_ image: Image, region: PixelRect? = nil) throws(InspectionError) -> Float {
        lastView = try extractor.extract(image, region: region, registrar: registrar)
        scorePatches()
        ignoreUnseenPatches()
        return postprocess()
    }

    public func isDefective(score: Float) -> Bool { score > threshold }
}
