import Capture
import Imaging
import Testing

@Suite("Frame ROI conversion against numpy goldens")
struct FrameTests {
    typealias G = ConversionGoldens

    func withYUYVFrame<R>(fullRange: Bool, _ body: (Frame) throws -> R) rethrows -> R {
        try G.yuyvFrame.withUnsafeBytes { bytes in
            try body(Frame(pixelFormat: .yuyv, width: G.yuyvWidth, height: G.yuyvHeight, bytesPerRow: G.yuyvBytesPerRow,
                           sequence: 7, timestampNanoseconds: 1, fullRangeYUV: fullRange, bytes: bytes))
        }
    }

    func withGreyFrame<R>(_ body: (Frame) throws -> R) rethrows -> R {
        try G.greyFrame.withUnsafeBytes { bytes in
            try body(Frame(pixelFormat: .grey, width: G.greyWidth, height: G.greyHeight, bytesPerRow: G.greyBytesPerRow,
                           sequence: 1, timestampNanoseconds: 1, bytes: bytes))
        }
    }

    var yuyvROI: PixelRect { PixelRect(x: G.yuyvROI.x, y: G.yuyvROI.y, width: G.yuyvROI.width, height: G.yuyvROI.height) }
    var greyROI: PixelRect { PixelRect(x: G.greyROI.x, y: G.greyROI.y, width: G.greyROI.width, height: G.greyROI.height) }

    @Test func yuyvRegionConvertsToRGBFullRangeAsGolden() throws {
        let image = try withYUYVFrame(fullRange: true) { try $0.image(roi: yuyvROI) }
        #expect(image.layout == .rgb)
        #expect(image.width == 5 && image.height == 3)
        #expect(image.pixels == G.yuyvROIToRGBFullRange)
    }

    @Test func yuyvRegionConvertsToRGBLimitedRangeAsGolden() throws {
        let image = try withYUYVFrame(fullRange: false) { try $0.image(roi: yuyvROI) }
        #expect(image.pixels == G.yuyvROIToRGBLimitedRange)
    }

    @Test func yuyvRegionConvertsToGreyFromLumaAsGolden() throws {
        let full = try withYUYVFrame(fullRange: true) { try $0.image(roi: yuyvROI, layout: .grey) }
        let limited = try withYUYVFrame(fullRange: false) { try $0.image(roi: yuyvROI, layout: .grey) }
        #expect(full.pixels == G.yuyvROIToGreyFullRange)
        #expect(limited.pixels == G.yuyvROIToGreyLimitedRange)
    }

    @Test func wholeYUYVFrameSkipsRowPadding() throws {
        let image = try withYUYVFrame(fullRange: true) { try $0.image() }
        #expect(image.width == G.yuyvWidth && image.height == G.yuyvHeight)
        #expect(image.pixels == G.yuyvWholeToRGBFullRange)
    }

    @Test func everyRegionEqualsTheCropOfTheWholeFrameConversion() throws {
        let whole = G.yuyvWholeToRGBFullRange
        try withYUYVFrame(fullRange: true) { frame in
            for y in 0..<G.yuyvHeight {
                for x in 0..<G.yuyvWidth {
                    for height in 1...(G.yuyvHeight - y) {
                        for width in 1...(G.yuyvWidth - x) {
                            let image = try frame.image(roi: PixelRect(x: x, y: y, width: width, height: height))
                            var expected: [UInt8] = []
                            for row in y..<(y + height) {
                                expected += whole[((row * G.yuyvWidth + x) * 3)..<((row * G.yuyvWidth + x + width) * 3)]
                            }
                            #expect(image.pixels == expected, "ROI \(width)x\(height)+\(x)+\(y)")
                        }
                    }
                }
            }
        }
    }

    @Test func greyRegionPassesThroughAsGolden() throws {
        let image = try withGreyFrame { try $0.image(roi: greyROI) }
        #expect(image.layout == .grey)
        #expect(image.pixels == G.greyROIToGrey)
    }

    @Test func greyRegionExpandsToRGBAsGolden() throws {
        let image = try withGreyFrame { try $0.image(roi: greyROI, layout: .rgb) }
        #expect(image.pixels == G.greyROIToRGB)
    }

    @Test func copyIntoReusedImageMatchesNewImage() throws {
        var reused = Image(width: 5, height: 3, layout: .rgb)
        try withYUYVFrame(fullRange: true) { try $0.copy(roi: yuyvROI, into: &reused) }
        #expect(reused.pixels == G.yuyvROIToRGBFullRange)
    }

    @Test func copyIntoImageOfWrongSizeIsRefused() {
        var wrong = Image(width: 4, height: 3, layout: .rgb)
        #expect(throws: CaptureError.imageSizeMismatch(roi: yuyvROI, imageWidth: 4, imageHeight: 3)) {
            try withYUYVFrame(fullRange: true) { try $0.copy(roi: yuyvROI, into: &wrong) }
        }
        #expect(wrong.pixels.allSatisfy { $0 == 0 })
    }

    @Test func regionOutsideFrameIsRefused() {
        let roi = PixelRect(x: 8, y: 0, width: 4, height: 2)
        #expect(throws: CaptureError.roiOutsideFrame(roi: roi, width: 10, height: 4)) {
            try withYUYVFrame(fullRange: true) { try $0.image(roi: roi) }
        }
    }

    @Test func rgb24RegionConvertsToGreyWithBT601Weights() throws {
        let pixels: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]
        let image = try pixels.withUnsafeBytes { bytes in
            try Frame(pixelFormat: .rgb24, width: 4, height: 1, bytesPerRow: 12, sequence: 0, timestampNanoseconds: 0,
                      bytes: bytes).image(layout: .grey)
        }
        // 0.299*255 = 76.2, 0.587*255 = 149.7, 0.114*255 = 29.1, 0.299*10+0.587*20+0.114*30 = 18.15
        #expect(image.pixels == [76, 150, 29, 18])
    }

    @Test func mjpegFramesCannotBeConvertedWithoutLibv4l2() {
        let bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xD9]
        #expect(throws: CaptureError.unsupportedConversion(from: .mjpeg, to: .rgb)) {
            try bytes.withUnsafeBytes { raw in
                try Frame(pixelFormat: .mjpeg, width: 2, height: 1, bytesPerRow: 0, sequence: 0, timestampNanoseconds: 0,
                          bytes: raw).image()
            }
        }
    }

    @Test func shortBufferIsReportedAsTruncated() {
        let bytes = [UInt8](repeating: 0, count: 10)
        #expect(throws: CaptureError.truncatedFrame(sequence: 3, bytes: 10, expected: 12)) {
            try bytes.withUnsafeBytes { raw in
                try Frame(pixelFormat: .grey, width: 4, height: 3, bytesPerRow: 4, sequence: 3, timestampNanoseconds: 0,
                          bytes: raw).image()
            }
        }
    }

    @Test func pixelFormatCodesMatchTheKernelHeader() {
        #expect(PixelFormat.yuyv.rawValue == 0x5659_5559)
        #expect(PixelFormat.grey.description == "GREY")
        #expect(PixelFormat.rgb24.description == "RGB3")
        #expect(PixelFormat.mjpeg.description == "MJPG")
    }
}
