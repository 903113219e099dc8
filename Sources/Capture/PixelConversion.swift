import Imaging

/// Row converters from a frame's region of interest to `Image` pixels: one pass, ROI only.
///
/// YUYV to RGB follows ITU-R BT.601 in 16.16 fixed point with round-half-up:
/// full range (JFIF): R = Y + 1.402 V', G = Y - 0.344136 U' - 0.714136 V', B = Y + 1.772 U';
/// limited range (the V4L2 default for YUV): Y scaled by 255/219 after subtracting 16 and the
/// chroma terms by 255/224. (U' = U - 128, V' = V - 128; results clamped to 0...255.)
/// RGB to grey uses BT.601 luma weights 0.299, 0.587, 0.114.
enum PixelConversion {
    /// BT.601 coefficients scaled by 65536.
    struct YUVCoefficients {
        let luma: Int32, lumaOffset: Int32, redV: Int32, greenU: Int32, greenV: Int32, blueU: Int32

        static let fullRange = YUVCoefficients(luma: 65536, lumaOffset: 0, redV: 91881, greenU: 22553,
                                               greenV: 46802, blueU: 116130)
        static let limitedRange = YUVCoefficients(luma: 76309, lumaOffset: 16, redV: 104597, greenU: 25675,
                                                  greenV: 53279, blueU: 132201)
    }

    static let half: Int32 = 32768

    @inline(__always)
    static func clamp(_ value: Int32) -> UInt8 {
        UInt8(truncatingIfNeeded: min(max(value, 0), 255))
    }

    /// Converts `region` of `frame` into `out` (`region.width * region.height * layout.channels`
    /// bytes). The caller has checked the region fits and the format is uncompressed.
    static func convert(_ frame: Frame, region: PixelRect, layout: Image.Layout, into out: UnsafeMutablePointer<UInt8>) {
        let base = frame.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let outRow = region.width * layout.channels
        for row in 0..<region.height {
            let source = base + (region.y + row) * frame.bytesPerRow
            let destination = out + row * outRow
            switch (frame.pixelFormat, layout) {
            case (.yuyv, .rgb):
                yuyvToRGB(source, x: region.x, width: region.width, destination,
                          frame.fullRangeYUV ? .fullRange : .limitedRange)
            case (.yuyv, .grey):
                yuyvToGrey(source, x: region.x, width: region.width, destination,
                           frame.fullRangeYUV ? .fullRange : .limitedRange)
            case (.grey, .grey), (.rgb24, .rgb):
                let channels = layout.channels
                destination.update(from: source + region.x * channels, count: outRow)
            case (.grey, .rgb):
                greyToRGB(source + region.x, width: region.width, destination)
            case (.rgb24, .grey):
                rgbToGrey(source + region.x * 3, width: region.width, destination)
            default:
                preconditionFailure("PixelConversion called with unsupported format \(frame.pixelFormat)")
            }
        }
    }

    /// One row of YUYV (Y0 U Y1 V per pixel pair) from column `x` (even or odd) to RGB: the chroma
    /// terms are computed once per pair; a ROI edge that splits a pair takes that pair's U and V.
    @inline(__always)
    static func yuyvToRGB(_ row: UnsafePointer<UInt8>, x: Int, width: Int, _ out: UnsafeMutablePointer<UInt8>,
                          _ k: YUVCoefficients) {
        var o = out
        var column = x
        let end = x + width
        @inline(__always) func pixel(_ column: Int) {
            let pair = row + (column >> 1) * 4
            let u = Int32(pair[1]) - 128, v = Int32(pair[3]) - 128
            let scaledY = k.luma * (Int32(row[column * 2]) - k.lumaOffset) + half
            o[0] = clamp((scaledY + k.redV * v) >> 16)
            o[1] = clamp((scaledY - k.greenU * u - k.greenV * v) >> 16)
            o[2] = clamp((scaledY + k.blueU * u) >> 16)
            o += 3
        }
        if column & 1 == 1 {
            pixel(column)
            column += 1
        }
        while column + 1 < end {
            let pair = row + column * 2
            let u = Int32(pair[1]) - 128, v = Int32(pair[3]) - 128
            let red = k.redV * v, green = k.greenU * u + k.greenV * v, blue = k.blueU * u
            let y0 = k.luma * (Int32(pair[0]) - k.lumaOffset) + half
            let y1 = k.luma * (Int32(pair[2]) - k.lumaOffset) + half
            o[0] = clamp((y0 + red) >> 16)
            o[1] = clamp((y0 - green) >> 16)
            o[2] = clamp((y0 + blue) >> 16)
            o[3] = clamp((y1 + red) >> 16)
            o[4] = clamp((y1 - green) >> 16)
            o[5] = clamp((y1 + blue) >> 16)
            o += 6
            column += 2
        }
        if column < end {
            pixel(column)
        }
    }

    /// One row of YUYV to grey: the luma alone, expanded to full range when it is limited.
    @inline(__always)
    static func yuyvToGrey(_ row: UnsafePointer<UInt8>, x: Int, width: Int, _ out: UnsafeMutablePointer<UInt8>,
                           _ k: YUVCoefficients) {
        for i in 0..<width {
            let y = Int32(row[(x + i) * 2])
            out[i] = clamp((k.luma * (y - k.lumaOffset) + half) >> 16)
        }
    }

    @inline(__always)
    static func greyToRGB(_ row: UnsafePointer<UInt8>, width: Int, _ out: UnsafeMutablePointer<UInt8>) {
        for i in 0..<width {
            let value = row[i]
            out[i * 3] = value
            out[i * 3 + 1] = value
            out[i * 3 + 2] = value
        }
    }

    @inline(__always)
    static func rgbToGrey(_ row: UnsafePointer<UInt8>, width: Int, _ out: UnsafeMutablePointer<UInt8>) {
        for i in 0..<width {
            let r = Int32(row[i * 3]), g = Int32(row[i * 3 + 1]), b = Int32(row[i * 3 + 2])
            out[i] = clamp((19595 * r + 38470 * g + 7471 * b + half) >> 16)
        }
    }
}
