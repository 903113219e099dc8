import Backbone
import Padim
import Platform
import Registration
import SafeTensors

/// A fitted model as stored on disk (safetensors): float16 mean and whitening factor, the kept
/// channels, and JSON-free string metadata a person can read with any safetensors viewer.
///
/// Tensors: `mean` F16 [H*W, d], `factor` F16 [H*W, d(d+1)/2] (W = L^-1, lower triangle by rows),
/// `channels` I32 [d]. Metadata: format, backbone identity and precision, geometry, threshold and fit statistics,
/// and the SHA-256 of the tensor data so a flipped bit is caught at load.
public struct ModelFile: Sendable {
    public static let format = "lineside-padim/1"

    /// What a model must fit: the running backbone's identity, its patch grid and its channel count.
    /// Every number a file carries is checked against these before it is used.
    public struct Expectation: Sendable, Equatable {
        public var identity: String
        public var gridHeight: Int
        public var gridWidth: Int
        public var totalChannels: Int

        public init(identity: String, gridHeight: Int, gridWidth: Int, totalChannels: Int) {
            self.identity = identity
            self.gridHeight = gridHeight
            self.gridWidth = gridWidth
            self.totalChannels = totalChannels
        }
    }

    /// The thresholds a fit can have written, from the good scores it recorded: at least the highest
    /// held-out (or in-sample) score, at most 10 x (the largest margin) the highest recorded score.
    /// A perfectly still scene gives tiny scores and a tiny threshold, which is fine; a threshold
    /// under the good parts' scores or far above them is no fit's.
    public static func plausibleThresholds(recordedMaximum: Float) -> ClosedRange<Float> {
        recordedMaximum...(recordedMaximum * 10 * 1.001)
    }

    public var data: PadimModelData
    public var channels: [Int]
    public var backboneIdentity: String
    /// How the backbone computed the features the model was fitted on; parts are inspected the
    /// same way. Metadata `backbone_precision`; a file without it is an int8 model (every model
    /// written before the float32 prefix existed).
    public var precision: BackbonePrecision
    public var threshold: Float
    /// Free-form fit facts (image counts, score distribution, seed, epsilon, threshold rule...).
    public var facts: [String: String]
    /// The position-correction reference the fit registered its images to; nil for a model fitted
    /// without registration (and every model written before it existed).
    public var registration: RegistrationReference?

    public init(data: PadimModelData, channels: [Int], backboneIdentity: String, precision: BackbonePrecision,
                threshold: Float, facts: [String: String], registration: RegistrationReference? = nil) {
        self.data = data
        self.channels = channels
        self.backboneIdentity = backboneIdentity
        self.precision = precision
        self.threshold = threshold
        self.facts = facts
        self.registration = registration
    }

    public func serialized() -> [UInt8] {
        let g = data.geometry
        var writer = SafeTensorsWriter()
        writer.add("mean", dtype: .f16, shape: [g.positions, g.dimensions], elements: data.mean.bits)
        writer.add("factor", dtype: .f16, shape: [g.positions, g.triangle], elements: data.factor.bits)
        writer.add("channels", dtype: .i32, shape: [g.dimensions], elements: channels.map { Int32($0) })
        var meta = facts
        meta["format"] = ModelFile.format
        meta["backbone_sha256"] = backboneIdentity
        meta["backbone_precision"] = precision.metadataValue
        meta["grid"] = "\(g.gridHeight)x\(g.gridWidth)"
        meta["dimensions"] = String(g.dimensions)
        meta["threshold"] = "\(threshold)"
        meta["data_sha256"] = ModelFile.dataDigest(mean: data.mean.bits, factor: data.factor.bits, channels: channels)
        if let registration {
            writer.add(ModelFile.registrationTensor, dtype: .f32, shape: [registration.size, registration.size], elements: registration.pixels)
            meta["registration"] = ModelFile.registrationMethod
            meta["registration_sha256"] = ModelFile.registrationDigest(registration.pixels)
        }
        writer.metadata = meta
        return writer.serialized()
    }

    /// Parses and validates a model against the running backbone. Every value is checked before it
    /// is used in arithmetic or as an index; a well-formed but meaningless model (a factor without a
    /// positive diagonal, a threshold no fit could give) is refused. Errors name `path`.
    public init(bytes: [UInt8], path: String, expected: Expectation) throws(InspectionError) {
        func bad(_ why: String) -> InspectionError { .model(path: path, reason: why) }
        let file: SafeTensors
        do { file = try SafeTensors(bytes: bytes) } catch { throw bad("not a valid model file: \(error)") }
        let meta = file.metadata
        guard meta["format"] == ModelFile.format else {
            throw bad("not a lineside model (format \(String((meta["format"] ?? "missing").prefix(40))), expected \(ModelFile.format))")
        }
        guard let backbone = meta["backbone_sha256"], backbone == expected.identity else {
            throw bad("model was fitted with another backbone (\(String((meta["backbone_sha256"] ?? "none").prefix(12)))…, running \(expected.identity.prefix(12))…): fit it again")
        }
        let precision: BackbonePrecision
        if let text = meta["backbone_precision"] {
            guard let known = BackbonePrecision(metadataValue: text) else {
                throw bad("backbone precision \"\(text.prefix(60))\" is not one this firmware computes (\(BackbonePrecision.allCases.map(\.metadataValue).joined(separator: "; "))): fit it again")
            }
            precision = known
        } else {
            precision = .int8
        }
        let gridText = meta["grid"] ?? "missing"
        let grid = gridText.split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard grid.count == 2, let height = grid[0], let width = grid[1] else {
            throw bad("bad grid metadata \"\(gridText.prefix(40))\" (expected HEIGHTxWIDTH)")
        }
        guard height == expected.gridHeight, width == expected.gridWidth else {
            throw bad("model grid \(height)x\(width) does not match the backbone's \(expected.gridHeight)x\(expected.gridWidth)")
        }
        guard let d = Int(meta["dimensions"] ?? ""), (1...expected.totalChannels).contains(d) else {
            throw bad("dimensions \"\((meta["dimensions"] ?? "missing").prefix(40))\" must be 1...\(expected.totalChannels)")
        }
        guard (height * width) % PatchGeometry.lanes == 0 else {
            throw bad("grid \(height)x\(width) is not a multiple of \(PatchGeometry.lanes) patches")
        }
        guard let threshold = Float(meta["threshold"] ?? ""), threshold.isFinite, threshold > 0 else {
            throw bad("threshold \((meta["threshold"] ?? "missing").prefix(40)) is not a positive number")
        }
        guard let highestGood = ModelFile.highestRecordedGood(meta) else {
            throw bad("no recorded good-part scores (holdout_scores): not a model a fit wrote")
        }
        let plausible = ModelFile.plausibleThresholds(recordedMaximum: highestGood)
        guard plausible.contains(threshold) else {
            throw bad(threshold < highestGood
                      ? "threshold \(threshold) is below the highest good score the fit recorded (\(highestGood))"
                      : "threshold \(threshold) is more than 10 x the highest good score the fit recorded (\(highestGood))")
        }
        let geometry = PatchGeometry(gridHeight: height, gridWidth: width, dimensions: d)
        let mean: [UInt16], factor: [UInt16], channels: [Int32]
        do {
            mean = try file.elements("mean", as: UInt16.self, dtype: .f16, shape: [geometry.positions, d])
            factor = try file.elements("factor", as: UInt16.self, dtype: .f16, shape: [geometry.positions, geometry.triangle])
            channels = try file.elements("channels", as: Int32.self, dtype: .i32, shape: [d])
        } catch { throw bad("\(error)") }
        let ints = channels.map { Int($0) }
        guard ints.allSatisfy({ (0..<expected.totalChannels).contains($0) }) else {
            throw bad("a channel index is outside 0..<\(expected.totalChannels)")
        }
        guard zip(ints, ints.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw bad("channel indices are not distinct and sorted")
        }
        guard meta["data_sha256"] == ModelFile.dataDigest(mean: mean, factor: factor, channels: ints) else {
            throw bad("tensor data does not match its checksum (corrupted file)")
        }
        let data = PadimModelData(geometry: geometry, mean: Float16Buffer(bits: mean), factor: Float16Buffer(bits: factor))
        do { try data.validate() } catch { throw bad("\(error)") }
        self.registration = try ModelFile.registrationReference(file, bad: bad)
        self.data = data
        self.channels = ints
        self.backboneIdentity = backbone
        self.precision = precision
        self.threshold = threshold
        var facts = meta
        for key in ["format", "backbone_sha256", "backbone_precision", "grid", "dimensions", "threshold", "data_sha256", "registration", "registration_sha256"] {
            facts[key] = nil
        }
        self.facts = facts
    }

    static let registrationTensor = "registration_reference"
    /// The one registration method a reference is made for (metadata `registration`).
    static let registrationMethod = "euclidean: phase correlation + ECC on a \(RegistrationGeometry.thumbnail)x\(RegistrationGeometry.thumbnail) grey thumbnail of the \(RegistrationGeometry.view)x\(RegistrationGeometry.view) view"

    /// The stored reference, checked as hostile input: metadata and tensor both present or both
    /// absent (absent: a model without registration), the method known, its own checksum, then
    /// `RegistrationReference`'s checks (size, values in 0...1, not flat).
    static func registrationReference(_ file: SafeTensors, bad: (String) -> InspectionError) throws(InspectionError) -> RegistrationReference? {
        let method = file.metadata["registration"], hasTensor = file.tensors[registrationTensor] != nil
        guard method != nil || hasTensor else { return nil }
        guard let method, hasTensor else {
            throw bad(hasTensor ? "registration reference without its metadata" : "registration metadata without its reference tensor")
        }
        guard method == registrationMethod else { throw bad("unknown registration method \"\(method.prefix(60))\"") }
        let size = RegistrationGeometry.thumbnail
        let pixels: [Float]
        do { pixels = try file.elements(registrationTensor, as: Float.self, dtype: .f32, shape: [size, size]) } catch { throw bad("\(error)") }
        guard file.metadata["registration_sha256"] == registrationDigest(pixels) else {
            throw bad("registration reference does not match its checksum (corrupted file)")
        }
        do { return try RegistrationReference(size: size, pixels: pixels) } catch { throw bad("\(error)") }
    }

    static func registrationDigest(_ pixels: [Float]) -> String {
        var hasher = SHA256()
        pixels.withUnsafeBytes { hasher.update($0) }
        return hex(hasher.finalize())
    }

    /// "max X" in a recorded score summary ("min a median b max c mean d").
    /// The thresholds the loader accepts for this model (from the good scores its fit recorded);
    /// nil when it recorded none. A threshold changed on site must stay inside it.
    public var acceptedThresholds: ClosedRange<Float>? {
        ModelFile.highestRecordedGood(facts).map { ModelFile.plausibleThresholds(recordedMaximum: $0) }
    }

    /// The highest good-part score a fit recorded (held-out summary or in-sample maximum).
    static func highestRecordedGood(_ meta: [String: String]) -> Float? {
        [recordedMaximum(meta["holdout_scores"]), meta["insample_max"].flatMap { Float($0) }]
            .compactMap { $0 }.filter { $0.isFinite && $0 >= 0 }.max()
    }

    static func recordedMaximum(_ summary: String?) -> Float? {
        guard let words = summary?.split(separator: " "), let index = words.firstIndex(of: "max"), index + 1 < words.count else { return nil }
        return Float(words[index + 1]).flatMap { $0.isFinite ? $0 : nil }
    }

    /// Largest model file read (a 56x56, d = 176 model is under 100 MB).
    public static let maximumFileBytes = 256 << 20

    public static func load(_ path: String, expected: Expectation) throws(InspectionError) -> ModelFile {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path, limit: maximumFileBytes) } catch { throw .file(error) }
        if bytes.isEmpty { throw .model(path: path, reason: "model file is empty") }
        return try ModelFile(bytes: bytes, path: path, expected: expected)
    }

    /// Saves atomically; with `keepPrevious` the replaced model stays there for `lineside rollback`.
    /// `failing` injects a failure at one step of the save (tests).
    public func save(_ path: String, keepPrevious: String? = nil, failing: FileIO.SaveStep? = nil) throws(InspectionError) {
        do { try FileIO.writeAtomically(serialized(), to: path, keepPrevious: keepPrevious, failing: failing) } catch { throw .file(error) }
    }

    static func dataDigest(mean: [UInt16], factor: [UInt16], channels: [Int]) -> String {
        var hasher = SHA256()
        mean.withUnsafeBytes { hasher.update($0) }
        factor.withUnsafeBytes { hasher.update($0) }
        channels.map { Int32($0) }.withUnsafeBytes { hasher.update($0) }
        return hex(hasher.finalize())
    }

    static func hex(_ digest: [UInt8]) -> String { digest.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }
}
