import Backbone
import ImageCodec
import Imaging
import Padim
import Registration

/// Fits a PaDiM model from good images, streaming: memory depends on the grid and d only.
///
/// Threshold rule (documented in the README): every k-th image (k = round(1 / holdout)) is held out
/// of the fit; threshold = margin x the highest held-out score. With no hold-out the highest
/// in-sample score is used, which is optimistic, and the model says so in `threshold_rule`.
public struct FitReport: Sendable {
    public var fitted = 0
    public var heldOut = 0
    public var greyImages = 0
    public var colourImages = 0
    public var heldOutScores: [Float] = []
    /// Fitted images whose position was beyond the registration tolerance (used uncorrected).
    public var notLocated = 0
}

public final class Fitter {
    public let settings: FitSettings
    public let extractor: FeatureExtractor
    /// The streaming sums (about 127 MB for 56x56 positions and d = 100): handed to the finisher,
    /// so they are freed (and, being one large allocation each, returned to the system) as soon as
    /// the finishing step is done with them.
    private var accumulator: FitAccumulator?
    private var heldOut: [Image] = []
    /// A few fitted images kept for an in-sample threshold when nothing was held out (few images).
    private var inSampleReserve: [Image] = []
    static let inSampleReserveSize = 8
    public private(set) var report = FitReport()
    private var seen = 0

    /// Every k-th image is held out; with `expectedImages` known, k is chosen so that at least two
    /// images are held out whenever the hold-out fraction is not zero.
    private let holdoutEvery: Int
    /// Registers every fitted image to the reference (nil: a fit without position correction).
    public private(set) var registrar: Registrar?

    /// `registration`: the reference to register the fit images to (`RegistrationReference.build`
    /// over the same good parts); the model stores it and corrects parts the same way.
    /// `precision`: how the backbone computes the features; the model records it.
    public init(backbone: Int8Backbone, settings: FitSettings = FitSettings(), expectedImages: Int? = nil,
                registration: RegistrationReference? = nil, precision: BackbonePrecision = .standard) throws(InspectionError) {
        let total = FeatureExtractor.totalChannels(backbone)
        guard settings.dimensions > 0, settings.dimensions <= total else {
            throw .dataset(path: "fit", reason: "cannot keep \(settings.dimensions) of \(total) channels")
        }
        guard (0..<1).contains(settings.holdoutFraction) else {
            throw .dataset(path: "fit", reason: "hold-out fraction must be in [0, 1)")
        }
        self.settings = settings
        let channels = ChannelSelection.draw(count: settings.dimensions, from: total, seed: settings.seed)
        extractor = FeatureExtractor(backbone: backbone, channels: channels, precision: precision)
        accumulator = FitAccumulator(geometry: extractor.geometry)
        registrar = registration.map { Registrar(reference: $0) }
        if settings.holdoutFraction <= 0 {
            holdoutEvery = 0
        } else if let expected = expectedImages, expected >= 4 {
            let count = max(2, Int((Double(expected) * settings.holdoutFraction).rounded()))
            holdoutEvery = max(2, expected / count)
        } else {
            holdoutEvery = max(2, Int((1 / settings.holdoutFraction).rounded()))
        }
    }

    /// Turns position correction on before the first image is added (the on-site calibration builds
    /// the reference from its first parts, then adds them).
    public func useRegistration(_ reference: RegistrationReference) throws(InspectionError) {
        guard seen == 0 else { throw .dataset(path: "fit", reason: "registration must be set before the first image") }
        registrar = Registrar(reference: reference)
    }

    /// Adds one good image: into the fit, or kept aside for the threshold.
    public func add(_ image: Image) throws(InspectionError) {
        seen += 1
        if image.layout == .grey { report.greyImages += 1 } else { report.colourImages += 1 }
        if holdoutEvery > 0, seen % holdoutEvery == 0 {
            heldOut.append(image)
            return
        }
        if let view = try extractor.extract(image, region: nil, registrar: registrar), !view.located { report.notLocated += 1 }
        guard accumulator != nil else { throw .dataset(path: "fit", reason: "images added after the fit was finished") }
        extractor.features.withUnsafeBufferPointer { accumulator!.add($0) }
        report.fitted += 1
        if inSampleReserve.count < Fitter.inSampleReserveSize { inSampleReserve.append(image) }
    }

    public func add(path: String) throws(InspectionError) {
        let image: Image
        do { image = try ImageDecoder.read(path) } catch { throw .image(error) }
        try add(image)
    }

    /// The images that set the threshold: the held-out ones, or (none held out) a few fitted ones.
    public var heldOutImages: [Image] { heldOut.isEmpty ? inSampleReserve : heldOut }

    /// The finishing work, to be stepped by the caller (the service spreads it over its loop).
    /// Hands the sums over: the fitter keeps no copy of them.
    public func makeFinisher() throws(InspectionError) -> FitFinisher {
        guard let sums = accumulator else { throw .dataset(path: "fit", reason: "the fit was already finished") }
        accumulator = nil
        do { return try FitFinisher(consume sums, epsilon: settings.epsilon) } catch { throw .padim(error) }
    }

    /// A model from finished data, threshold not yet set (1.0): score `heldOutImages` with it and
    /// call `setThreshold`.
    public func model(from data: PadimModelData, extraFacts: [String: String] = [:]) -> ModelFile {
        var facts = extraFacts
        facts["image_count"] = String(report.fitted)
        facts["grey_images"] = String(report.greyImages)
        facts["colour_images"] = String(report.colourImages)
        facts["seed"] = String(settings.seed)
        facts["epsilon"] = "\(settings.epsilon)"
        facts["input"] = registrar == nil ? "resize 256x256 triangle filter, centre crop 224x224"
            : "resize 256x256 triangle filter, registered to the reference (euclidean), centre crop 224x224"
        if registrar != nil { facts["registration_not_located"] = String(report.notLocated) }
        return ModelFile(data: data, channels: extractor.channels, backboneIdentity: extractor.backbone.identity,
                         precision: extractor.precision, threshold: 1, facts: facts, registration: registrar?.reference)
    }

    /// Sets the threshold from held-out scores (margin x maximum) and records their distribution.
    public func setThreshold(_ model: inout ModelFile, heldOutScores scores: [Float]) {
        let inSample = heldOut.isEmpty
        report.heldOut = heldOut.count
        report.heldOutScores = scores
        let sorted = scores.sorted()
        model.threshold = (sorted.last ?? 1) * settings.margin
        model.facts["holdout_count"] = String(heldOut.count)
        model.facts["threshold_rule"] = inSample
            ? "in-sample maximum of \(scores.count) fitted images x \(settings.margin) (no hold-out: optimistic)"
            : "held-out maximum x \(settings.margin)"
        if !sorted.isEmpty {
            model.facts["holdout_scores"] = "min \(sorted.first!) median \(sorted[sorted.count / 2]) max \(sorted.last!) mean \(sorted.reduce(0, +) / Float(sorted.count))"
            // Every held-out score (up to 2000), for the HMI's good-score distribution.
            model.facts["holdout_values"] = sorted.prefix(2000).map { "\($0)" }.joined(separator: " ")
        }
    }

    /// Finishes the fit in one go, scores the held-out images and returns the model with its
    /// threshold (see the rule above).
    public func finish(extraFacts: [String: String] = [:]) throws(InspectionError) -> ModelFile {
        var finisher = try makeFinisher()
        do { while try !finisher.step(positions: 256) {} } catch { throw .padim(error) }
        var model = self.model(from: finisher.result!, extraFacts: extraFacts)
        let inspector = try Inspector(backbone: extractor.backbone, model: model)
        var scores: [Float] = []
        for image in heldOutImages { scores.append(try inspector.inspect(image)) }
        setThreshold(&model, heldOutScores: scores)
        return model
    }

    /// For a fit without hold-out: sets the threshold from the in-sample scores of `images`.
    public static func thresholdFromInSample(_ model: inout ModelFile, backbone: Int8Backbone, paths: [String], margin: Float) throws(InspectionError) {
        let inspector = try Inspector(backbone: backbone, model: model)
        var top: Float = 0
        for path in paths {
            let image: Image
            do { image = try ImageDecoder.read(path) } catch { throw .image(error) }
            top = max(top, try inspector.inspect(image))
        }
        model.threshold = top * margin
        model.facts["insample_max"] = "\(top)"
        model.facts["threshold_rule"] = "in-sample maximum of all \(paths.count) images x \(margin) (no hold-out: optimistic)"
    }
}
