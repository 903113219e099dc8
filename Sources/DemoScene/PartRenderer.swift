import Imaging
import Platform

/// Draws images of a simple machined part (a washer on a conveyor belt) for the demo, the
/// benchmarks and the tests: no download, no data set. Good parts vary a little in position,
/// lighting and texture, as on a real line; defective ones carry a drawn defect.
public struct PartRenderer: Sendable {
    public enum Defect: String, Sendable, CaseIterable {
        case scratch, stain, notch
    }

    /// Where a part lies on the belt, for position-correction tests: its centre moved by (dx, dy)
    /// pixels and the part turned by `degrees` (counter-clockwise on screen). A posed part carries
    /// an orientation key (a dark hole in the ring) so its rotation can be seen, lies on a plain
    /// fixture plate (no belt ribs: a frame-fixed texture that a correction of the part would move)
    /// and carries its shading with it (a pose moves the part, not the light).
    public struct Pose: Sendable, Equatable {
        public var dx: Float
        public var dy: Float
        public var degrees: Float
        public init(dx: Float = 0, dy: Float = 0, degrees: Float = 0) {
            self.dx = dx
            self.dy = dy
            self.degrees = degrees
        }
        public static let centred = Pose()
    }

    public let size: Int

    public init(size: Int = 256) { self.size = size }

    /// Part number `index` of a stream; the same index always draws the same image. With a `pose`
    /// the part is keyed and placed there (the stream's own small jitter comes on top).
    public func render(index: Int, defect: Defect? = nil, seed: UInt64 = 7, pose: Pose? = nil) -> Image {
        var rng = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
        func uniform() -> Float { Float(rng.next() >> 40) / Float(1 << 24) }
        let n = size, s = Float(size)
        let cx = s / 2 + (uniform() - 0.5) * 4 + (pose?.dx ?? 0), cy = s / 2 + (uniform() - 0.5) * 4 + (pose?.dy ?? 0)
        // Part coordinates: the frame turned back by the pose's angle about the part's centre.
        let turn = (pose?.degrees ?? 0) * 3.141_592_7 / 180, cosT = cosine(turn), sinT = sine(turn)
        let keyX = cx + (s * 0.235), keyY = cy, keyRadius = s * 0.035
        let outer = s * 0.34, inner = s * 0.13
        let light = 0.9 + uniform() * 0.2
        var pixels = [UInt8](repeating: 0, count: n * n * 3)
        // Defect geometry, drawn in part coordinates.
        let angle = uniform() * 6.283, length = s * (0.12 + uniform() * 0.08)
        let radius = (inner + outer) / 2 + (uniform() - 0.5) * (outer - inner) * 0.4
        let dx = cx + radius * cosine(angle), dy = cy + radius * sine(angle)
        for y in 0..<n {
            for x in 0..<n {
                let sx = Float(x) + 0.5, sy = Float(y) + 0.5
                // On screen (y down) a counter-clockwise turn by t maps part offset u to
                // (cos t ux + sin t uy, -sin t ux + cos t uy); undo it.
                let fx = pose == nil ? sx : cx + cosT * (sx - cx) - sinT * (sy - cy)
                let fy = pose == nil ? sy : cy + sinT * (sx - cx) + cosT * (sy - cy)
                let r = ((fx - cx) * (fx - cx) + (fy - cy) * (fy - cy)).squareRoot()
                let noise = (uniform() - 0.5) * 10
                // Belt: dark with faint horizontal ribs.
                var rgb: (Float, Float, Float) = (40, 44, 48)
                if pose == nil, y % 16 < 2 { rgb = (34, 37, 40) }
                if r < outer && r > inner {
                    // Brushed metal: brighter towards the top-left light, fine concentric rings.
                    // Unposed: lit from the scene's top-left. Posed: the shading belongs to the part
                    // (it turns and moves with it), so a pose changes the position only.
                    let lit = pose == nil ? (cx - sx) + (cy - sy) : (cx - fx) + (cy - fy)
                    let shade = 150 + 40 * lit / s + 6 * sine(r * 0.9)
                    rgb = (shade * light, shade * light, (shade + 8) * light)
                    if abs(r - outer) < 1.5 || abs(r - inner) < 1.5 { rgb = (rgb.0 * 0.7, rgb.1 * 0.7, rgb.2 * 0.7) }
                    if pose != nil, (fx - keyX) * (fx - keyX) + (fy - keyY) * (fy - keyY) < keyRadius * keyRadius { rgb = (40, 44, 48) }
                }
                if let defect {
                    switch defect {
                    case .scratch:
                        // A thin dark line across the ring.
                        let t = (fx - dx) * cosine(angle + 1.2) + (fy - dy) * sine(angle + 1.2)
                        let d = abs((fx - dx) * sine(angle + 1.2) - (fy - dy) * cosine(angle + 1.2))
                        if d < 1.6, abs(t) < length / 2, r < outer, r > inner { rgb = (rgb.0 * 0.35, rgb.1 * 0.35, rgb.2 * 0.35) }
                    case .stain:
                        let d = ((fx - dx) * (fx - dx) + (fy - dy) * (fy - dy)).squareRoot()
                        if d < s * 0.05, r < outer, r > inner { rgb = (rgb.0 * 0.8 + 30, rgb.1 * 0.55, rgb.2 * 0.3) }
                    case .notch:
                        let ox = cx + outer * cosine(angle), oy = cy + outer * sine(angle)
                        let d = ((fx - ox) * (fx - ox) + (fy - oy) * (fy - oy)).squareRoot()
                        if d < s * 0.07 { rgb = (40, 44, 48) }
                    }
                }
                let o = (y * n + x) * 3
                pixels[o] = clamp(rgb.0 + noise)
                pixels[o + 1] = clamp(rgb.1 + noise)
                pixels[o + 2] = clamp(rgb.2 + noise)
            }
        }
        return Image(width: n, height: n, layout: .rgb, pixels: pixels)
    }
}

private func clamp(_ v: Float) -> UInt8 { UInt8(max(0, min(255, v.rounded()))) }

/// sin and cos by a short Taylor series after range reduction: no C maths import for a drawing.
private func sine(_ x: Float) -> Float {
    let twoPi: Float = 6.283_185_3
    var r = x - (x / twoPi).rounded() * twoPi  // [-pi, pi]
    if r > 1.570_796_3 { r = 3.141_592_7 - r } else if r < -1.570_796_3 { r = -3.141_592_7 - r }
    let r2 = r * r
    return r * (1 - r2 / 6 * (1 - r2 / 20 * (1 - r2 / 42 * (1 - r2 / 72))))
}

private func cosine(_ x: Float) -> Float { sine(x + 1.570_796_3) }
