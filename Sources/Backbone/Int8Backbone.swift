import CXNNPACK
import Imaging

/// The backbone running on XNNPACK's operator API: per-channel int8 (qc8) convolutions, depthwise
/// as grouped qc8 with XNN_FLAG_DEPTHWISE_CONVOLUTION, residuals as qs8 add, ReLU6 as the output
/// clamp, all set up once on fixed buffers this object owns; `run()` just runs the operators.
/// The first `floatPrefixLayers` layers also exist in float32 (`FloatPrefix`), for
/// `BackbonePrecision.float32Prefix`; a run picks one of the two ways through them.
///
/// Not Sendable: it owns mutable activation buffers; one inference thread owns one backbone.
public final class Int8Backbone {
    public let graph: BackboneGraph
    public let identity: String
    public let threads: Int

    /// Layers 0..<floatPrefixLayers of `BackbonePrecision.float32Prefix`: the stem, block 0
    /// and block 1's expansion, all at 112x112 (README, Evaluation: the layers whose rounding costs
    /// the most).
    public static let floatPrefixLayers = 4

    private var operators: [(name: String, op: xnn_operator_t)] = []
    private var prefix: FloatPrefix?
    /// The pool XNNPACK runs on, shared with the other per-frame stages (`ParallelLoop`).
    public let pool: SharedThreadPool
    private var threadpool: pthreadpool_t? { pool.handle }
    /// One int8 buffer per tensor, each with XNN_EXTRA_BYTES of slack after its last element.
    private var buffers: [Int: UnsafeMutableBufferPointer<Int8>] = [:]

    /// A feature tap after `run()`: int8 NHWC values and how to read them as real numbers.
    public struct TapView {
        public let tap: BackboneGraph.Tap
        public let info: BackboneGraph.TensorInfo
        public let values: UnsafeBufferPointer<Int8>
    }

    public init(weights: BackboneWeights, threads: Int = 1) throws(BackboneError) {
        graph = weights.graph
        identity = weights.identity
        self.threads = max(1, threads)
        pool = SharedThreadPool(threads: self.threads)
        guard xnn_initialize(nil) == xnn_status_success else {
            throw .xnnpack(operation: "initialize", layer: "-", status: 0)
        }
        for (id, info) in graph.tensors {
            let buffer = UnsafeMutableBufferPointer<Int8>.allocate(capacity: info.elementCount + Int(XNN_EXTRA_BYTES))
            buffer.initialize(repeating: 0)
            buffers[id] = buffer
        }
        for layer in graph.layers {
            let op = try makeOperator(layer, weights: weights)
            operators.append((layer.name, op))
            try setUp(op, layer)
        }
        let k = Self.floatPrefixLayers
        guard graph.layers.count > k else { throw .malformed("graph: \(graph.layers.count) layers, the float32 prefix needs \(k + 1)") }
        prefix = try FloatPrefix(graph: graph, weights: weights, layers: k, input: buffers[graph.inputTensor]!.baseAddress!,
                                 output: buffers[graph.layers[k - 1].output]!.baseAddress!, threadpool: threadpool)
    }

    deinit {
        for (_, op) in operators { xnn_delete_operator(op) }
        for (_, buffer) in buffers { buffer.deallocate() }
    }

    /// The input buffer (224x224x3 int8, NHWC) that `Preprocessor.prepare` writes into.
    public var input: UnsafeMutableBufferPointer<Int8> {
        let info = graph.tensors[graph.inputTensor]!
        return UnsafeMutableBufferPointer(rebasing: buffers[graph.inputTensor]![0..<info.elementCount])
    }

    /// Runs the network on the current input, its first layers as `precision` says.
    public func run(_ precision: BackbonePrecision = .int8) throws(BackboneError) {
        var int8Operators = operators[...]
        if precision == .float32Prefix {
            guard let prefix else { throw .malformed("graph: no float32 prefix was set up") }
            try prefix.run(threadpool)
            int8Operators = operators.dropFirst(prefix.layers)
        }
        for (name, op) in int8Operators {
            let status = xnn_run_operator(op, threadpool)
            guard status == xnn_status_success else { throw .xnnpack(operation: "run", layer: name, status: status.rawValue) }
        }
    }

    /// Any tensor's int8 values after `run()` (for tests and diagnostics).
    public func values(of tensor: Int) -> UnsafeBufferPointer<Int8> {
        let info = graph.tensors[tensor]!
        return UnsafeBufferPointer(rebasing: buffers[tensor]![0..<info.elementCount])
    }

    /// The feature taps of the last run, in graph order (stride 4, 8, 16).
    public var taps: [TapView] {
        graph.taps.map { tap in
            let info = graph.tensors[tap.tensor]!
            return TapView(tap: tap, info: info,
                           values: UnsafeBufferPointer(rebasing: buffers[tap.tensor]![0..<info.elementCount]))
        }
    }

    private func makeOperator(_ layer: BackboneGraph.Layer, weights: BackboneWeights) throws(BackboneError) -> xnn_operator_t {
        let input = graph.tensors[layer.input]!, output = graph.tensors[layer.output]!
        var op: xnn_operator_t?
        let status: xnn_status
        switch layer.operation {
        case .convolution(let k, let s, let p, _, let relu6):
            let (kernel, scales, bias) = try weights.weights(of: layer)
            let lo: Int8 = relu6 ? output.quantization.quantize(0) : -128
            let hi: Int8 = relu6 ? output.quantization.quantize(6) : 127
            let (groups, groupIn, groupOut, flags) = layer.xnnGrouping
            status = xnn_create_convolution2d_nhwc_qc8(
                UInt32(p.top), UInt32(p.right), UInt32(p.bottom), UInt32(p.left),
                UInt32(k), UInt32(k), UInt32(s), UInt32(s), 1, 1,
                groups, groupIn, groupOut, layer.inputChannels, layer.outputChannels,
                input.quantization.zeroPoint, input.quantization.scale, scales, kernel, bias,
                output.quantization.zeroPoint, output.quantization.scale, lo, hi, flags, &op)
        case .add(let otherID):
            let other = graph.tensors[otherID]!
            status = xnn_create_add_nd_qs8(
                input.quantization.zeroPoint, input.quantization.scale,
                other.quantization.zeroPoint, other.quantization.scale,
                output.quantization.zeroPoint, output.quantization.scale, -128, 127, 0, &op)
        }
        guard status == xnn_status_success, let op else { throw .xnnpack(operation: "create", layer: layer.name, status: status.rawValue) }
        return op
    }

    private func setUp(_ op: xnn_operator_t, _ layer: BackboneGraph.Layer) throws(BackboneError) {
        let input = graph.tensors[layer.input]!
        let status: xnn_status
        switch layer.operation {
        case .convolution:
            status = xnn_setup_convolution2d_nhwc_qc8(op, 1, input.height, input.width,
                                                      buffers[layer.input]!.baseAddress, buffers[layer.output]!.baseAddress, threadpool)
        case .add(let otherID):
            let shape = [1, input.height, input.width, input.channels]
            status = xnn_setup_add_nd_qs8(op, 4, shape, 4, shape, buffers[layer.input]!.baseAddress,
                                          buffers[otherID]!.baseAddress, buffers[layer.output]!.baseAddress, threadpool)
        }
        guard status == xnn_status_success else { throw .xnnpack(operation: "setup", layer: layer.name, status: status.rawValue) }
    }
}

extension BackboneGraph.Layer {
    /// A convolution's grouping as XNNPACK's create calls take it (int8 and float32 alike): one
    /// group for a full convolution, one group per channel with the depthwise flag otherwise.
    var xnnGrouping: (groups: UInt32, groupInput: Int, groupOutput: Int, flags: UInt32) {
        guard case .convolution(_, _, _, true, _) = operation else { return (1, inputChannels, outputChannels, 0) }
        return (UInt32(outputChannels), 1, 1, UInt32(XNN_FLAG_DEPTHWISE_CONVOLUTION))
    }
}
