import Capture
import Imaging
import LineIO

/// The live view's main picture: the whole frame as captured (scaled down), the region of interest
/// outlined in the colour of the part's verdict, and the part's anomaly map drawn where the
/// model saw it (the region's 256 view's centre crop, mapped back to frame pixels).
enum LiveFrame {
    /// Outline colours: a pass, a reject (also fail-safe), a frame without a verdict.
    static let passColour: (UInt8, UInt8, UInt8) = (40, 200, 60)
    static let rejectColour: (UInt8, UInt8, UInt8) = (230, 30, 30)
    static let idleColour: (UInt8, UInt8, UInt8) = (150, 150, 150)

    /// `map` is `mapSize` x `mapSize` over the region's centre crop (`Preprocessor.cropTo` at
    /// `cropOffset` of its 256 view); drawn only when it has that shape.
    static func compose(_ overview: FrameOverview, verdict: Verdict?, map: [Float]?, mapSize: Int, threshold: Float?) -> Image {
        var picture = overview.image
        let step = overview.step
        let box = overview.region ?? PixelRect(x: 0, y: 0, width: picture.width * step, height: picture.height * step)
        guard box.width > 0, box.height > 0 else { return picture }
        if let map, mapSize == Preprocessor.cropTo, map.count == mapSize * mapSize {
            let limit = threshold.flatMap { $0.isFinite && $0 > 0 ? $0 : nil } ?? max(map.max() ?? 1, 1e-6)
            drawMap(map, size: mapSize, over: box, step: step, limit: limit, into: &picture)
        }
        let colour: (UInt8, UInt8, UInt8)
        switch verdict {
        case .pass?: colour = passColour
        case .reject?, .inspectionFailed?: colour = rejectColour
        case nil: colour = idleColour
        }
        outline(box, step: step, colour: colour, into: &picture)
        return picture
    }

    /// The map's colours (as `Heatmap.overlay`) blended into the overview pixels that sample the crop.
    private static func drawMap(_ map: [Float], size: Int, over box: PixelRect, step: Int, limit: Float, into picture: inout Image) {
        let view = Double(Preprocessor.resizeTo), offset = Double(Preprocessor.cropOffset)
        for oy in 0..<picture.height {
            let v = Int(((Double(oy * step - box.y) + 0.5) * view / Double(box.height) - 0.5 - offset).rounded(.down))
            guard v >= 0, v < size else { continue }
            for ox in 0..<picture.width {
                let u = Int(((Double(ox * step - box.x) + 0.5) * view / Double(box.width) - 0.5 - offset).rounded(.down))
                guard u >= 0, u < size else { continue }
                let t = min(1, max(0, (map[v * size + u] / limit - 0.5) * 2))
                guard t > 0 else { continue }
                let colour = [Float(255) * t, Float(255) * (1 - abs(2 * t - 1)), Float(255) * (1 - t)]
                let alpha = 0.25 + 0.35 * t, o = (oy * picture.width + ox) * 3
                for c in 0..<3 {
                    picture.pixels[o + c] = UInt8(min(255, Float(picture.pixels[o + c]) * (1 - alpha) + colour[c] * alpha))
                }
            }
        }
    }

    /// A 2-pixel outline just inside the region's box, in overview pixels.
    private static func outline(_ box: PixelRect, step: Int, colour: (UInt8, UInt8, UInt8), into picture: inout Image) {
        let x0 = max(0, box.x / step), y0 = max(0, box.y / step)
        let x1 = min(picture.width, (box.x + box.width + step - 1) / step), y1 = min(picture.height, (box.y + box.height + step - 1) / step)
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 {
            for x in x0..<x1 where x < x0 + 2 || y < y0 + 2 || x >= x1 - 2 || y >= y1 - 2 {
                let o = (y * picture.width + x) * 3
                picture.pixels[o] = colour.0; picture.pixels[o + 1] = colour.1; picture.pixels[o + 2] = colour.2
            }
        }
    }
}
