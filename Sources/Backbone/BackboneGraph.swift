import Platform

/// The quantized network as the exporter wrote it (metadata "graph" of the backbone file):
/// tensors with their int8 quantization, layers in execution order, and the feature taps.
public struct BackboneGraph: Sendable, Equatable {
    public struct Quantization: Sendable, Equatable {
        public let scale: Float
        public let zeroPoint: Int8
        public func dequantize(_ q: Int8) -> Float { Float(Int(q) - Int(zeroPoint)) * scale }
        public func quantize(_ x: Float) -> Int8 {
            let q = (x / scale).rounded(.toNearestOrEven) + Float(zeroPoint)
            return Int8(max(-128, min(127, q)))
        }
    }

    public struct TensorInfo: Sendable, Equatable {
        public let id: Int
        public let height: Int
        public let width: Int
        public let channels: Int
        public let quantization: Quantization
        public var elementCount: Int { height * width * channels }
    }

    public enum Operation: Sendable, Equatable {
        /// Full convolution (OHWI weights) or depthwise (groups = channels, [1, KH, KW, C] weights).
        case convolution(kernel: Int, stride: Int, padding: (top: Int, left: Int, bottom: Int, right: Int), depthwise: Bool, relu6: Bool)
        /// Element-wise residual add of two tensors of equal shape.
        case add(other: Int)

        public static func == (a: Operation, b: Operation) -> Bool {
            switch (a, b) {
            case let (.convolution(k1, s1, p1, d1, r1), .convolution(k2, s2, p2, d2, r2)):
                k1 == k2 && s1 == s2 && p1 == p2 && d1 == d2 && r1 == r2
            case let (.add(o1), .add(o2)): o1 == o2
            default: false
            }
        }
    }

    public struct Layer: Sendable, Equatable {
        public let index: Int
        public let name: String
        public let operation: Operation
        public let input: Int
        public let output: Int
        public let inputChannels: Int
        public let outputChannels: Int
    }

    public struct Tap: Sendable, Equatable {
        public let name: String
        public let tensor: Int
        public let stride: Int
        public let channels: Int
    }

    public let inputTensor: Int
    public let tensors: [Int: TensorInfo]
    public let layers: [Layer]
    public let taps: [Tap]

    public init(json: JSON) throws(BackboneError) {
        func bad(_ why: String) -> BackboneError { .malformed("graph: \(why)") }
        func int(_ value: JSON?, _ what: String) throws(BackboneError) -> Int {
            guard let n = value?.intValue else { throw bad("\(what) is not an integer") }
            return n
        }
        guard let input = json["input"], let tensorList = json["tensors"]?.arrayValue,
              let layerList = json["layers"]?.arrayValue, let tapList = json["taps"]?.arrayValue else {
            throw bad("missing input, tensors, layers or taps")
        }
        inputTensor = try int(input["tensor"], "input.tensor")

        var tensors: [Int: TensorInfo] = [:]
        for t in tensorList {
            let id = try int(t["id"], "tensor id")
            guard let scale = t["scale"]?.doubleValue, scale > 0, scale.isFinite else { throw bad("tensor \(id) has no positive scale") }
            let zp = try int(t["zero_point"], "tensor \(id) zero_point")
            guard (-128...127).contains(zp) else { throw bad("tensor \(id) zero point \(zp) out of int8 range") }
            let info = TensorInfo(id: id, height: try int(t["height"], "height"), width: try int(t["width"], "width"),
                                  channels: try int(t["channels"], "channels"),
                                  quantization: Quantization(scale: Float(scale), zeroPoint: Int8(zp)))
            guard info.height > 0, info.width > 0, info.channels > 0 else { throw bad("tensor \(id) has an empty shape") }
            tensors[id] = info
        }
        self.tensors = tensors
        guard tensors[inputTensor] != nil else { throw bad("input tensor \(inputTensor) is not described") }

        var layers: [Layer] = []
        for l in layerList {
            let index = try int(l["index"], "layer index")
            let name = l["name"]?.stringValue ?? "layer \(index)"
            let op = l["op"]?.stringValue ?? ""
            let output = try int(l["output"], "\(name) output")
            switch op {
            case "conv", "dwconv":
                let inputID = try int(l["input"], "\(name) input")
                guard let pad = l["pad"]?.arrayValue, pad.count == 4 else { throw bad("\(name) has no 4-element pad") }
                let p = (top: try int(pad[0], "pad"), left: try int(pad[1], "pad"), bottom: try int(pad[2], "pad"), right: try int(pad[3], "pad"))
                let layer = Layer(index: index, name: name,
                                  operation: .convolution(kernel: try int(l["kernel"], "kernel"), stride: try int(l["stride"], "stride"),
                                                          padding: p, depthwise: op == "dwconv", relu6: l["relu6"]?.boolValue ?? false),
                                  input: inputID, output: output, inputChannels: try int(l["cin"], "cin"),
                                  outputChannels: try int(l["cout"], "cout"))
                layers.append(layer)
            case "add":
                guard let inputs = l["inputs"]?.arrayValue, inputs.count == 2 else { throw bad("\(name) needs two inputs") }
                let a = try int(inputs[0], "add input"), b = try int(inputs[1], "add input")
                guard let info = tensors[output] else { throw bad("\(name) output is not described") }
                layers.append(Layer(index: index, name: name, operation: .add(other: b), input: a, output: output,
                                    inputChannels: info.channels, outputChannels: info.channels))
            default:
                throw bad("\(name) has unknown op \"\(op)\"")
            }
        }
        self.layers = layers

        var taps: [Tap] = []
        for t in tapList {
            taps.append(Tap(name: t["name"]?.stringValue ?? "tap", tensor: try int(t["tensor"], "tap tensor"),
                            stride: try int(t["stride"], "tap stride"), channels: try int(t["channels"], "tap channels")))
        }
        self.taps = taps
        try validate()
    }

    /// Every tensor a layer touches is described, shapes chain, and taps exist.
    private func validate() throws(BackboneError) {
        var produced: Set<Int> = [inputTensor]
        for layer in layers {
            guard let input = tensors[layer.input], let output = tensors[layer.output] else {
                throw .malformed("graph: \(layer.name) refers to an undescribed tensor")
            }
            guard produced.contains(layer.input) else { throw .malformed("graph: \(layer.name) reads tensor \(layer.input) before it is written") }
            switch layer.operation {
            case .convolution(let k, let s, let p, let depthwise, _):
                let h = (input.height + p.top + p.bottom - k) / s + 1
                let w = (input.width + p.left + p.right - k) / s + 1
                guard h == output.height, w == output.width, input.channels == layer.inputChannels,
                      output.channels == layer.outputChannels, !depthwise || layer.inputChannels == layer.outputChannels else {
                    throw .malformed("graph: \(layer.name) shapes do not chain")
                }
            case .add(let other):
                guard let b = tensors[other], produced.contains(other), b.height == input.height, b.width == input.width,
                      b.channels == input.channels, output.height == input.height, output.channels == input.channels else {
                    throw .malformed("graph: \(layer.name) adds tensors of different shapes")
                }
            }
            produced.insert(layer.output)
        }
        for tap in taps {
            guard produced.contains(tap.tensor), tensors[tap.tensor]?.channels == tap.channels else {
                throw .malformed("graph: tap \(tap.name) is not a produced tensor with \(tap.channels) channels")
            }
        }
    }
}
