/// Paints the anomaly map over the model's view of the part, so a person sees where it looks
/// wrong: transparent below half the threshold, then blue to red (red = at or above the
/// threshold), with a red frame when the part is rejected.
public enum Heatmap {
    public static func overlay(_ view: Image, map: [Float], threshold: Float) -> Image {
        precondition(view.layout == .rgb && map.count == view.width * view.height, "map must match the view")
        var picture = view
        var maximum: Float = 0
        picture.pixels.withUnsafeMutableBufferPointer { pixels in
            for (i, value) in map.enumerated() {
                maximum = max(maximum, value)
                tint(pixels.baseAddress! + i * 3, value: value, threshold: threshold)
            }
        }
        if maximum > threshold {
            picture.drawOutline(PixelRect(x: 0, y: 0, width: view.width, height: view.height), thickness: 3, rgb: (255, 0, 0))
        }
        return picture
    }

    /// Blends one RGB pixel towards the map's colour for `value`: untouched below half the
    /// threshold, then blue to green to red at the threshold, 25% to 60% opaque.
    @inline(__always)
    public static func tint(_ pixel: UnsafeMutablePointer<UInt8>, value: Float, threshold: Float) {
        let t = min(1, max(0, (value / threshold - 0.5) * 2))  // 0 at threshold/2, 1 at threshold
        guard t > 0 else { return }
        let alpha = 0.25 + 0.35 * t
        func blend(_ c: Int, _ v: Float) { pixel[c] = UInt8(min(255, Float(pixel[c]) * (1 - alpha) + v * alpha)) }
        blend(0, 255 * t)
        blend(1, 255 * (1 - abs(2 * t - 1)))
        blend(2, 255 * (1 - t))
    }
}

extension Image {
    /// An RGB outline `thickness` pixels wide just inside `box` (clipped to the image).
    public mutating func drawOutline(_ box: PixelRect, thickness: Int, rgb: (UInt8, UInt8, UInt8)) {
        precondition(layout == .rgb, "outlines are drawn on RGB images")
        let x0 = max(0, box.x), y0 = max(0, box.y)
        let x1 = min(width, box.x + box.width), y1 = min(height, box.y + box.height)
        guard x0 < x1, y0 < y1 else { return }
        let w = width
        pixels.withUnsafeMutableBufferPointer { p in
            for y in y0..<y1 {
                for x in x0..<x1 where x < x0 + thickness || y < y0 + thickness || x >= x1 - thickness || y >= y1 - thickness {
                    let o = (y * w + x) * 3
                    p[o] = rgb.0; p[o + 1] = rgb.1; p[o + 2] = rgb.2
                }
            }
        }
    }
}
