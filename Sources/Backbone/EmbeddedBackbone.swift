import CBackboneWeights
import Platform
import SafeTensors

/// The int8 backbone compiled into the binary (Sources/CBackboneWeights, via C23 #embed).
public enum EmbeddedBackbone {
    /// The embedded safetensors bytes; empty when the build had no export.
    public static var bytes: [UInt8] {
        guard let base = lineside_backbone_bytes() else { return [] }
        return Array(UnsafeBufferPointer(start: base, count: lineside_backbone_size()))
    }

    /// Parses the embedded file.
    public static func load() throws(BackboneError) -> BackboneWeights {
        let bytes = bytes
        guard !bytes.isEmpty else { throw .missing }
        return try BackboneWeights(bytes: bytes)
    }
}

/// A backbone file: the graph plus int8 weights, per-channel scales and int32 biases.
public struct BackboneWeights: Sendable {
    public let graph: BackboneGraph
    public let file: SafeTensors
    /// SHA-256 of the whole file: the identity a PaDiM model records and checks.
    public let identity: String
    public let metadata: [String: String]

    public init(bytes: [UInt8]) throws(BackboneError) {
        do { file = try SafeTensors(bytes: bytes) } catch { throw .malformed("\(error)") }
        guard file.metadata["format"] == "lineside-backbone/1" else {
            throw .malformed("format is \(file.metadata["format"] ?? "missing"), expected lineside-backbone/1")
        }
        guard let graphText = file.metadata["graph"] else { throw .malformed("no graph in metadata") }
        let json: JSON
        do { json = try JSON.parse(graphText) } catch { throw .malformed("graph metadata: \(error)") }
        graph = try BackboneGraph(json: json)
        identity = SHA256.hex(bytes)
        metadata = file.metadata
    }

    func weights(of layer: BackboneGraph.Layer) throws(BackboneError) -> (kernel: [Int8], scales: [Float], bias: [Int32]) {
        guard case .convolution(let k, _, _, let depthwise, _) = layer.operation else { return ([], [], []) }
        let prefix = "L" + (layer.index < 10 ? "0" : "") + String(layer.index)
        let shape = depthwise ? [1, k, k, layer.outputChannels] : [layer.outputChannels, k, k, layer.inputChannels]
        do {
            let kernel = try file.elements(prefix + ".weight", as: Int8.self, dtype: .i8, shape: shape)
            let scales = try file.elements(prefix + ".weight_scale", as: Float.self, dtype: .f32, shape: [layer.outputChannels])
            let bias = try file.elements(prefix + ".bias", as: Int32.self, dtype: .i32, shape: [layer.outputChannels])
            guard scales.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw BackboneError.malformed("\(layer.name) has a non-positive weight scale") }
            return (kernel, scales, bias)
        } catch let error as SafeTensorsError {
            throw .malformed("\(layer.name): \(error)")
        } catch let error as BackboneError {
            throw error
        } catch {
            throw .malformed("\(layer.name): \(error)")
        }
    }
}
