import CXNNPACK

/// The backbone's first layers in float32 (`BackbonePrecision.float32Prefix`): the int8 input
/// converted to float32, each layer an XNNPACK f32 convolution on weights dequantised from the
/// embedded int8 ones (w = q x scale[c], bias = q_bias x input_scale x scale[c]), ReLU6 as the clamp,
/// and the last layer's output rounded into that tensor's int8 buffer, where the int8 layers go on.
/// Activations alternate between two float32 buffers owned here; everything is set up once.
final class FloatPrefix {
    let layers: Int
    private var operators: [(name: String, op: xnn_operator_t)] = []
    private let buffers: [UnsafeMutableBufferPointer<Float>]

    /// `input` and `output`: the int8 buffers of the graph's input and of layer `layers - 1`'s output.
    init(graph: BackboneGraph, weights: BackboneWeights, layers: Int, input: UnsafeMutablePointer<Int8>,
         output: UnsafeMutablePointer<Int8>, threadpool: pthreadpool_t?) throws(BackboneError) {
        self.layers = layers
        guard xnn_initialize(nil) == xnn_status_success else { throw .xnnpack(operation: "initialize", layer: "-", status: 0) }
        let chain = Array(graph.layers.prefix(layers))
        guard chain.count == layers, layers > 0, chain.first?.input == graph.inputTensor,
              zip(chain, chain.dropFirst()).allSatisfy({ $0.output == $1.input }),
              chain.allSatisfy({ if case .convolution = $0.operation { true } else { false } }) else {
            throw .malformed("graph: the first \(layers) layers are not a chain of convolutions (float32 prefix)")
        }
        // Tensor k of the chain (0 = the input) lives in buffer k % 2.
        let sizes = [graph.inputTensor] + chain.map(\.output)
        var capacity = [0, 0]
        for (k, id) in sizes.enumerated() { capacity[k % 2] = max(capacity[k % 2], graph.tensors[id]!.elementCount) }
        let slack = Int(XNN_EXTRA_BYTES) / MemoryLayout<Float>.size + 1
        buffers = capacity.map {
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: $0 + slack)
            b.initialize(repeating: 0)
            return b
        }
        let inputInfo = graph.tensors[graph.inputTensor]!, outputInfo = graph.tensors[chain.last!.output]!
        let first = try Self.check("create", "input convert", {
            var op: xnn_operator_t?
            let s = xnn_create_convert_nc_qs8_f32(inputInfo.channels, inputInfo.channels, inputInfo.channels,
                                                  inputInfo.quantization.scale, inputInfo.quantization.zeroPoint, 0, &op)
            return (s, op)
        })
        operators.append(("input convert", first))
        try Self.check("setup", "input convert", xnn_setup_convert_nc_qs8_f32(
            first, inputInfo.height * inputInfo.width, input, buffers[0].baseAddress, threadpool))
        for (k, layer) in chain.enumerated() {
            let op = try Self.convolution(layer, graph: graph, weights: weights)
            operators.append((layer.name + " (float32)", op))
            let info = graph.tensors[layer.input]!
            try Self.check("setup", layer.name, xnn_setup_convolution2d_nhwc_f32(
                op, 1, info.height, info.width, buffers[k % 2].baseAddress, buffers[(k + 1) % 2].baseAddress, threadpool))
        }
        let last = try Self.check("create", "output convert", {
            var op: xnn_operator_t?
            let s = xnn_create_convert_nc_f32_qs8(outputInfo.channels, outputInfo.channels, outputInfo.channels,
                                                  outputInfo.quantization.scale, outputInfo.quantization.zeroPoint, -128, 127, 0, &op)
            return (s, op)
        })
        operators.append(("output convert", last))
        try Self.check("setup", "output convert", xnn_setup_convert_nc_f32_qs8(
            last, outputInfo.height * outputInfo.width, buffers[layers % 2].baseAddress, output, threadpool))
    }

    deinit {
        for (_, op) in operators { xnn_delete_operator(op) }
        for buffer in buffers { buffer.deallocate() }
    }

    func run(_ threadpool: pthreadpool_t?) throws(BackboneError) {
        for (name, op) in operators {
            let status = xnn_run_operator(op, threadpool)
            guard status == xnn_status_success else { throw .xnnpack(operation: "run", layer: name, status: status.rawValue) }
        }
    }

    private static func convolution(_ layer: BackboneGraph.Layer, graph: BackboneGraph,
                                    weights: BackboneWeights) throws(BackboneError) -> xnn_operator_t {
        guard case .convolution(let k, let s, let p, let depthwise, let relu6) = layer.operation else {
            throw .malformed("graph: \(layer.name) is not a convolution")
        }
        let (q, scales, qBias) = try weights.weights(of: layer)
        let inputScale = graph.tensors[layer.input]!.quantization.scale
        // OHWI: the output channel is the outermost index; depthwise [1, KH, KW, C]: the innermost.
        let perOutput = q.count / layer.outputChannels
        let kernel = q.indices.map { i in Float(q[i]) * scales[depthwise ? i % layer.outputChannels : i / perOutput] }
        let bias = qBias.indices.map { c in Float(qBias[c]) * (inputScale * scales[c]) }
        let (groups, groupIn, groupOut, flags) = layer.xnnGrouping
        return try check("create", layer.name, {
            var op: xnn_operator_t?
            let status = xnn_create_convolution2d_nhwc_f32(
                UInt32(p.top), UInt32(p.right), UInt32(p.bottom), UInt32(p.left),
                UInt32(k), UInt32(k), UInt32(s), UInt32(s), 1, 1,
                groups, groupIn, groupOut, layer.inputChannels, layer.outputChannels,
                kernel, bias, relu6 ? 0 : -Float.infinity, relu6 ? 6 : Float.infinity, flags, &op)
            return (status, op)
        })
    }

    private static func check(_ operation: String, _ layer: String,
                              _ create: () -> (xnn_status, xnn_operator_t?)) throws(BackboneError) -> xnn_operator_t {
        let (status, op) = create()
        guard status == xnn_status_success, let op else { throw .xnnpack(operation: operation, layer: layer, status: status.rawValue) }
        return op
    }

    private static func check(_ operation: String, _ layer: String, _ status: xnn_status) throws(BackboneError) {
        guard status == xnn_status_success else { throw .xnnpack(operation: operation, layer: layer, status: status.rawValue) }
    }
}
