import Padim
import Platform
import SafeTensors

/// A fitted model as stored on disk (safetensors): float16 mean and whitening factor, the kept
/// channels, and JSON-free string metadata a person can read with any safetensors viewer.
///
/// Tensors: `mean` F16 [H*W, d], `factor` F16 [H*W, d(d+1)/2] (W = L^-1, lower triangle by rows),
/// `channels` I32 [d]. Metadata: format, backbone identity, geometry, threshold and fit statistics,
/// and the SHA-256 of the tensor data so a flipped bit is caught at load.
public struct ModelFile: Sendable {
    public static let format = "lineside-padim/1"

    public var data: PadimModelData
    public var channels: [Int]
    public var backboneIdentity: String
    public var threshold: Float
    /// Free-form fit facts (image counts, score distribution, seed, epsilon, threshold rule...).
    public var facts: [String: String]

    public init(data: PadimModelData, channels: [Int], backboneIdentity: String, threshold: Float, facts: [String: String]) {
        self.data = data
        self.channels = channels
        self.backboneIdentity = backboneIdentity
        self.threshold = threshold
        self.facts = facts
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
        meta["grid"] = "\(g.gridHeight)x\(g.gridWidth)"
        meta["dimensions"] = String(g.dimensions)
        meta["threshold"] = "\(threshold)"
        meta["data_sha256"] = ModelFile.dataDigest(mean: data.mean.bits, factor: data.factor.bits, channels: channels)
        writer.metadata = meta
        return writer.serialized()
    }

    /// Parses and validates a model; `expectedBackbone` is the running backbone's identity.
    public init(bytes: [UInt8], path: String, expectedBackbone: String) throws(InspectionError) {
        func bad(_ why: String) -> InspectionError { .model(path: path, reason: why) }
        let file: SafeTensors
        do { file = try SafeTensors(bytes: bytes) } catch { throw bad("not a valid model file: \(error)") }
        let meta = file.metadata
        guard meta["format"] == ModelFile.format else {
            throw bad("not a lineside model (format \(meta["format"] ?? "missing"), expected \(ModelFile.format))")
        }
        guard let backbone = meta["backbone_sha256"], backbone == expectedBackbone else {
            throw bad("model was fitted with another backbone (\(String((meta["backbone_sha256"] ?? "none").prefix(12)))…, running \(expectedBackbone.prefix(12))…): fit it again")
        }
        let grid = (meta["grid"] ?? "").split(separator: "x").compactMap { Int($0) }
        guard grid.count == 2, let d = Int(meta["dimensions"] ?? ""), grid[0] > 0, grid[1] > 0, d > 0, d <= 1024,
              (grid[0] * grid[1]) % PatchGeometry.lanes == 0 else {
            throw bad("bad geometry metadata (grid \(meta["grid"] ?? "missing"), dimensions \(meta["dimensions"] ?? "missing"))")
        }
        guard let threshold = Float(meta["threshold"] ?? ""), threshold.isFinite, threshold > 0 else {
            throw bad("threshold is missing or not a positive number")
        }
        let geometry = PatchGeometry(gridHeight: grid[0], gridWidth: grid[1], dimensions: d)
        let mean: [UInt16], factor: [UInt16], channels: [Int32]
        do {
            mean = try file.elements("mean", as: UInt16.self, dtype: .f16, shape: [geometry.positions, d])
            factor = try file.elements("factor", as: UInt16.self, dtype: .f16, shape: [geometry.positions, geometry.triangle])
            channels = try file.elements("channels", as: Int32.self, dtype: .i32, shape: [d])
        } catch { throw bad("\(error)") }
        let ints = channels.map { Int($0) }
        guard ints == ints.sorted(), Set(ints).count == d, ints.allSatisfy({ $0 >= 0 }) else {
            throw bad("channel indices are not distinct, sorted and non-negative")
        }
        guard meta["data_sha256"] == ModelFile.dataDigest(mean: mean, factor: factor, channels: ints) else {
            throw bad("tensor data does not match its checksum (corrupted file)")
        }
        let data = PadimModelData(geometry: geometry, mean: Float16Buffer(bits: mean), factor: Float16Buffer(bits: factor))
        do { try data.validate() } catch { throw bad("\(error)") }
        self.data = data
        self.channels = ints
        self.backboneIdentity = backbone
        self.threshold = threshold
        var facts = meta
        for key in ["format", "backbone_sha256", "grid", "dimensions", "threshold", "data_sha256"] { facts[key] = nil }
        self.facts = facts
    }

    public static func load(_ path: String, expectedBackbone: String) throws(InspectionError) -> ModelFile {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path) } catch { throw .file(error) }
        if bytes.isEmpty { throw .model(path: path, reason: "model file is empty") }
        return try ModelFile(bytes: bytes, path: path, expectedBackbone: expectedBackbone)
    }

    /// Saves atomically; with `keepPrevious` the replaced model stays there for `lineside rollback`.
    public func save(_ path: String, keepPrevious: String? = nil) throws(InspectionError) {
        do { try FileIO.writeAtomically(serialized(), to: path, keepPrevious: keepPrevious) } catch { throw .file(error) }
    }

    static func dataDigest(mean: [UInt16], factor: [UInt16], channels: [Int]) -> String {
        var hasher = SHA256()
        mean.withUnsafeBytes { hasher.update($0) }
        factor.withUnsafeBytes { hasher.update($0) }
        channels.map { Int32($0) }.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
