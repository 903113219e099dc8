/// Paints the anomaly map over the model's view of the part, so a person sees where it looks
/// wrong: transparent below half the threshold, then blue to red (red = at or above the
/// threshold), with a red frame when the part is rejected.
public enum Heatmap {
    public static func overlay(_ view: Image, map: [Float], threshold: Float) -> Image {
        precondition(view.layout == .rgb && map.count == view.width * view.height, "map must match the view")
        var pixels = view.pixels
        var maximum: Float = 0
        for (i, value) in map.enumerated() {
            maximum = max(maximum, value)
            let t = min(1, max(0, (value / threshold - 0.5) * 2))  // 0 at threshold/2, 1 at threshold
            guard t > 0 else { continue }
            let colour = (r: Float(255) * t, g: Float(255) * (1 - abs(2 * t - 1)), b: Float(255) * (1 - t))
            let alpha = 0.25 + 0.35 * t
            for (c, v) in [colour.r, colour.g, colour.b].enumerated() {
                let o = i * 3 + c
                pixels[o] = UInt8(min(255, Float(pixels[o]) * (1 - alpha) + v * alpha))
            }
        }
        if maximum > threshold {
            for y in 0..<view.height {
                for x in 0..<view.width where x < 3 || y < 3 || x >= view.width - 3 || y >= view.height - 3 {
                    let o = (y * view.width + x) * 3
                    pixels[o] = 255; pixels[o + 1] = 0; pixels[o + 2] = 0
                }
            }
        }
        return Image(width: view.width, height: view.height, layout: .rgb, pixels: pixels)
    }
}
