import Capture
import Imaging
import LineIO
import RejectArchive

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
            drawMap(map, size: mapSize, over: box, step: step, limit: RejectArchive.heatmapLimit(map, threshold: threshold), into: &picture)
        }
        let colour: (UInt8, UInt8, UInt8)
        switch verdict {
        case .pass?: colour = passColour
        case .reject?, .inspectionFailed?: colour = rejectColour
        case nil: colour = idleColour
        }
        picture.drawOutline(Self.box(box, step: step), thickness: 2, rgb: colour)
        return picture
    }

    /// The map's colours (`Heatmap.tint`) blended into the overview pixels that sample the crop.
    private static func drawMap(_ map: [Float], size: Int, over box: PixelRect, step: Int, limit: Float, into picture: inout Image) {
        let view = Double(Preprocessor.resizeTo), offset = Double(Preprocessor.cropOffset)
        let width = picture.width, height = picture.height
        picture.pixels.withUnsafeMutableBufferPointer { pixels in
            for oy in 0..<height {
                let v = Int(((Double(oy * step - box.y) + 0.5) * view / Double(box.height) - 0.5 - offset).rounded(.down))
                guard v >= 0, v < size else { continue }
                for ox in 0..<width {
                    let u = Int(((Double(ox * step - box.x) + 0.5) * view / Double(box.width) - 0.5 - offset).rounded(.down))
                    guard u >= 0, u < size else { continue }
                    Heatmap.tint(pixels.baseAddress! + (oy * width + ox) * 3, value: map[v * size + u], threshold: limit)
                }
            }
        }
    }

    /// The region's box in overview pixels (a partly covered overview pixel counts as inside).
    static func box(_ region: PixelRect, step: Int) -> PixelRect {
        let x0 = region.x / step, y0 = region.y / step
        let x1 = (region.x + region.width + step - 1) / step, y1 = (region.y + region.height + step - 1) / step
        return PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }
}
