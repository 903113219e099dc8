import Imaging

extension Image {
    /// The image under `factor` times the light (every channel value scaled, rounded, clamped to
    /// 255): a replay whose lighting dims or brightens (the drift watch's tests).
    public func lit(by factor: Double) -> Image {
        var table = [UInt8](repeating: 0, count: 256)
        for v in 0..<256 { table[v] = UInt8(min(255, max(0, (Double(v) * factor).rounded()))) }
        var copy = self
        copy.pixels.withUnsafeMutableBufferPointer { pixels in
            for i in pixels.indices { pixels[i] = table[Int(pixels[i])] }
        }
        return copy
    }
}
