/// A quantized feature map as the backbone leaves it: int8 NHWC with a per-tensor scale.
public struct QuantizedMap {
    public let values: UnsafeBufferPointer<Int8>
    public let height: Int
    public let width: Int
    public let channels: Int
    public let scale: Float
    public let zeroPoint: Int8

    public init(values: UnsafeBufferPointer<Int8>, height: Int, width: Int, channels: Int, scale: Float, zeroPoint: Int8) {
        precondition(values.count >= height * width * channels, "map smaller than its shape")
        self.values = values
        self.height = height
        self.width = width
        self.channels = channels
        self.scale = scale
        self.zeroPoint = zeroPoint
    }
}

/// The geometry of a PaDiM model: the patch grid, the feature dimension, SIMD grouping.
public struct PatchGeometry: Sendable, Equatable {
    public let gridHeight: Int
    public let gridWidth: Int
    public let dimensions: Int
    /// Patches interleaved per SIMD lane in the scoring layout.
    public static let lanes = 8

    public init(gridHeight: Int, gridWidth: Int, dimensions: Int) {
        precondition(gridHeight > 0 && gridWidth > 0 && dimensions > 0, "empty geometry")
        precondition((gridHeight * gridWidth) % PatchGeometry.lanes == 0, "patch count must be a multiple of 8")
        self.gridHeight = gridHeight
        self.gridWidth = gridWidth
        self.dimensions = dimensions
    }

    public var positions: Int { gridHeight * gridWidth }
    public var groups: Int { positions / PatchGeometry.lanes }
    public var triangle: Int { dimensions * (dimensions + 1) / 2 }
    /// Floats in one image's feature block ([groups][d][8]).
    public var featureCount: Int { positions * dimensions }

    /// Index of (position, channel) in the interleaved [groups][d][8] layout.
    @inline(__always) public func interleaved(position p: Int, channel c: Int) -> Int {
        ((p / PatchGeometry.lanes) * dimensions + c) * PatchGeometry.lanes + p % PatchGeometry.lanes
    }
}

/// Builds each patch's feature vector from the three taps: the selected channels of the
/// concatenation [stride-4 | stride-8 | stride-16], the coarser maps nearest-upsampled to the
/// finest grid (patch (i, j) reads map k at (i * h_k / H, j * w_k / W)). Writes the interleaved
/// [groups][d][8] float layout the fit and the scorer share; allocates nothing.
public struct PatchFeatureGatherer: Sendable {
    public let geometry: PatchGeometry
    /// For each selected channel: which map and which channel inside it.
    private let sources: [(map: Int, channel: Int)]

    public init(geometry: PatchGeometry, mapChannels: [Int], selected: [Int]) {
        precondition(selected.count == geometry.dimensions, "selection does not match the feature dimension")
        var sources: [(Int, Int)] = []
        for global in selected {
            var rest = global, map = 0
            while map < mapChannels.count, rest >= mapChannels[map] { rest -= mapChannels[map]; map += 1 }
            precondition(map < mapChannels.count, "channel \(global) beyond the concatenated maps")
            sources.append((map, rest))
        }
        self.geometry = geometry
        self.sources = sources
    }

    public func gather(_ maps: [QuantizedMap], into out: UnsafeMutableBufferPointer<Float>) {
        precondition(out.count >= geometry.featureCount, "feature buffer too small")
        let gh = geometry.gridHeight, gw = geometry.gridWidth, lanes = PatchGeometry.lanes, d = geometry.dimensions
        for (c, source) in sources.enumerated() {
            let map = maps[source.map]
            let zero = Float(map.zeroPoint), scale = map.scale
            for i in 0..<gh {
                let row = (i * map.height / gh) * map.width
                for j in 0..<gw {
                    let p = i * gw + j
                    let q = map.values[(row + j * map.width / gw) * map.channels + source.channel]
                    out[((p / lanes) * d + c) * lanes + p % lanes] = (Float(q) - zero) * scale
                }
            }
        }
    }
}
