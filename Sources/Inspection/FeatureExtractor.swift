import Backbone
import Imaging
import Padim

/// Image -> patch features: preprocessing into the backbone's own input buffer, one backbone pass,
/// then the selected channels gathered into the interleaved float layout. Reuses every buffer; every
/// step runs on the backbone's thread pool.
public final class FeatureExtractor {
    public let backbone: Int8Backbone
    public let geometry: PatchGeometry
    public let channels: [Int]
    /// How the backbone computes these features: the model's (`ModelFile.precision`).
    public let precision: BackbonePrecision
    private var preprocessor = Preprocessor()
    private let gatherer: PatchFeatureGatherer
    /// The taps as the gatherer reads them: views of the backbone's own buffers, made once.
    private let maps: [QuantizedMap]
    /// The last image's features, [groups][d][8] (empty when the extractor does not gather).
    public private(set) var features: [Float]
    /// Whether `gather` writes `features`: the fit needs them; an inspector whose scorer reads the
    /// taps itself (`tapFeatures`, the int8 factor) does not.
    public let gathers: Bool
    /// The taps as the int8 scorer reads them in place of `features`.
    public let tapFeatures: TapFeatures

    /// The PaDiM grid is the finest tap's grid (56x56 at 224 input, stride 4).
    public init(backbone: Int8Backbone, channels: [Int], precision: BackbonePrecision, gathers: Bool = true) {
        let grid = Self.grid(backbone)
        geometry = PatchGeometry(gridHeight: grid.height, gridWidth: grid.width, dimensions: channels.count)
        self.backbone = backbone
        self.channels = channels
        self.precision = precision
        gatherer = PatchFeatureGatherer(geometry: geometry, mapChannels: backbone.graph.taps.map(\.channels), selected: channels)
        self.gathers = gathers
        features = [Float](repeating: 0, count: gathers ? geometry.featureCount : 0)
        maps = backbone.taps.map { tap in
            QuantizedMap(values: tap.values, height: tap.info.height, width: tap.info.width, channels: tap.info.channels,
                         scale: tap.info.quantization.scale, zeroPoint: tap.info.quantization.zeroPoint)
        }
        tapFeatures = TapFeatures(maps: maps, gatherer: gatherer)
    }

    /// The PaDiM grid of `backbone`: its finest tap's height and width.
    static func grid(_ backbone: Int8Backbone) -> (height: Int, width: Int) {
        let finest = backbone.graph.tensors[backbone.graph.taps[0].tensor]!
        return (finest.height, finest.width)
    }

    /// Total channels over all taps (176 for the Lite0 cut: 24 + 40 + 112).
    public static func totalChannels(_ backbone: Int8Backbone) -> Int { backbone.graph.taps.reduce(0) { $0 + $1.channels } }

    public func preprocess(_ image: Image, region: PixelRect? = nil) {
        preprocessor.prepare(image, region: region, into: backbone.input, parallel: backbone.pool)
    }

    public func runBackbone() throws(BackboneError) { try backbone.run(precision) }

    public func gather() {
        guard gathers else { return }
        features.withUnsafeMutableBufferPointer { gatherer.gather(maps, into: $0, parallel: backbone.pool) }
    }

    /// All three steps for one image.
    public func extract(_ image: Image, region: PixelRect? = nil) throws(BackboneError) {
        preprocess(image, region: region)
        try runBackbone()
        gather()
    }
}

extension ModelFile.Expectation {
    /// What a model for `backbone` must be: its identity, the finest tap's grid, all its channels.
    public init(_ backbone: Int8Backbone) {
        let grid = FeatureExtractor.grid(backbone)
        self.init(identity: backbone.identity, gridHeight: grid.height, gridWidth: grid.width,
                  totalChannels: FeatureExtractor.totalChannels(backbone))
    }
}
