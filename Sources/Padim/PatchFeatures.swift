import CPadimKernels
import Platform

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
    /// The same as the fused kernel reads them (`TapFeatures`).
    let sourceMaps: [UInt8]
    let sourceChannels: [Int32]

    public init(geometry: PatchGeometry, mapChannels: [Int], selected: [Int]) {
        precondition(selected.count == geometry.dimensions, "selection does not match the feature dimension")
        precondition(mapChannels.count <= PatchFeatureGatherer.maximumMaps, "more maps than the gatherer handles")
        var sources: [(Int, Int)] = []
        for global in selected {
            var rest = global, map = 0
            while map < mapChannels.count, rest >= mapChannels[map] { rest -= mapChannels[map]; map += 1 }
            precondition(map < mapChannels.count, "channel \(global) beyond the concatenated maps")
            sources.append((map, rest))
        }
        self.geometry = geometry
        self.sources = sources
        sourceMaps = sources.map { UInt8($0.0) }
        sourceChannels = sources.map { Int32($0.1) }
    }

    /// Fills `out` group by group of 8 positions (the groups split over `parallel`): each group's
    /// source offsets in every map are worked out once, then each selected channel is 8 reads and
    /// one contiguous 8-float write. Values are the same as one position at a time.
    public func gather(_ maps: [QuantizedMap], into out: UnsafeMutableBufferPointer<Float>,
                       parallel: any ParallelLoop = SerialLoop.shared) {
        precondition(out.count >= geometry.featureCount, "feature buffer too small")
        precondition(maps.count <= PatchFeatureGatherer.maximumMaps, "more maps than the gatherer handles")
        maps.withUnsafeBufferPointer { mapList in
            sources.withUnsafeBufferPointer { sources in
                let chunks = min(parallel.chunksPerStage, geometry.groups)
                parallel.run(chunks, GatherChunks(geometry: geometry, chunks: chunks, maps: mapList.baseAddress!, mapCount: mapList.count,
                                                  sources: sources.baseAddress!, out: out.baseAddress!))
            }
        }
    }

    /// Taps a gatherer reads (the Lite0 cut has three).
    public static let maximumMaps = 4
}

/// The taps and the gatherer's channel sources as `lineside_padim_distances_i8_taps` reads them, for
/// `PatchScorer.score(taps:)`: the scorer reads each patch's features from the taps itself, with the
/// same values the gatherer would have written. Made once; the maps' buffers must outlive it.
public struct TapFeatures {
    let taps: [lineside_tap]
    let sourceMaps: [UInt8]
    let sourceChannels: [Int32]
    let geometry: PatchGeometry

    public init(maps: [QuantizedMap], gatherer: PatchFeatureGatherer) {
        precondition(maps.count <= Int(LINESIDE_MAX_TAPS), "more maps than the kernel handles")
        precondition(zip(gatherer.sourceMaps, gatherer.sourceChannels).allSatisfy { Int($0) < maps.count && Int($1) < maps[Int($0)].channels },
                     "a selected channel is beyond its map")
        taps = maps.map {
            lineside_tap(values: $0.values.baseAddress, height: Int32($0.height), width: Int32($0.width), channels: Int32($0.channels),
                         scale: $0.scale, zero_point: Int32($0.zeroPoint))
        }
        sourceMaps = gatherer.sourceMaps
        sourceChannels = gatherer.sourceChannels
        geometry = gatherer.geometry
    }
}

/// One chunk of groups of 8 positions.
private struct GatherChunks: ParallelBody {
    let geometry: PatchGeometry
    let chunks: Int
    let maps: UnsafePointer<QuantizedMap>
    let mapCount: Int
    let sources: UnsafePointer<(map: Int, channel: Int)>
    let out: UnsafeMutablePointer<Float>

    func run(_ chunk: Int) {
        let gh = geometry.gridHeight, gw = geometry.gridWidth, lanes = PatchGeometry.lanes, d = geometry.dimensions
        // Offsets of the group's 8 positions in each map, [map][lane].
        var offsets = (SIMD8<Int32>(), SIMD8<Int32>(), SIMD8<Int32>(), SIMD8<Int32>())
        for g in chunkRange(chunk, of: chunks, total: geometry.groups) {
            for k in 0..<mapCount {
                let map = maps[k]
                var lane = SIMD8<Int32>()
                for l in 0..<lanes {
                    let p = g * lanes + l, i = p / gw, j = p % gw
                    lane[l] = Int32(((i * map.height / gh) * map.width + j * map.width / gw) * map.channels)
                }
                switch k {
                case 0: offsets.0 = lane
                case 1: offsets.1 = lane
                case 2: offsets.2 = lane
                default: offsets.3 = lane
                }
            }
            for c in 0..<d {
                let source = sources[c]
                let map = maps[source.map]
                let lane: SIMD8<Int32>
                switch source.map {
                case 0: lane = offsets.0
                case 1: lane = offsets.1
                case 2: lane = offsets.2
                default: lane = offsets.3
                }
                let values = map.values.baseAddress! + source.channel
                var v = SIMD8<Float>()
                for l in 0..<lanes { v[l] = Float(values[Int(lane[l])]) }
                let scaled = (v - Float(map.zeroPoint)) * map.scale
                UnsafeMutableRawPointer(out + (g * d + c) * lanes).storeBytes(of: scaled, as: SIMD8<Float>.self)
            }
        }
    }
}
