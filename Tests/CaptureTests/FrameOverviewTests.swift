import Capture
import Imaging
import Testing

@Suite struct FrameOverviewTests {
    /// An RGB24 frame whose pixel (x, y) is (x % 256, y % 256, (x + y) % 256).
    func withFrame<R>(width: Int, height: Int, padding: Int = 0, _ body: (Frame) throws -> R) rethrows -> R {
        let stride = width * 3 + padding
        var bytes = [UInt8](repeating: 0xEE, count: stride * height)
        for y in 0..<height {
            for x in 0..<width {
                let o = y * stride + x * 3
                bytes[o] = UInt8(x % 256); bytes[o + 1] = UInt8(y % 256); bytes[o + 2] = UInt8((x + y) % 256)
            }
        }
        return try bytes.withUnsafeBytes { raw in
            try body(Frame(pixelFormat: .rgb24, width: width, height: height, bytesPerRow: stride, sequence: 1,
                           timestampNanoseconds: 1, bytes: raw))
        }
    }

    @Test func aFrameUpToTheLimitIsKeptWholeAndEqualsItsFullConversion() throws {
        let region = PixelRect(x: 80, y: 0, width: 480, height: 480)
        let (overview, whole) = try withFrame(width: 640, height: 480, padding: 12) { frame in
            (try frame.overview(region: region), try frame.image())
        }
        #expect(overview.step == 1 && overview.region == region)
        #expect(overview.image.width == 640 && overview.image.height == 480)
        #expect(overview.image.pixels == whole.pixels)
    }

    @Test func aLargerFrameIsSampledEveryStepPixelsToFit() throws {
        let overview = try withFrame(width: 1920, height: 1080) { try $0.overview(region: nil) }
        #expect(overview.step == 3)
        #expect(overview.image.width == 640 && overview.image.height == 360)
        for (ox, oy) in [(0, 0), (1, 0), (639, 359), (200, 100)] {
            let o = (oy * 640 + ox) * 3, x = ox * 3, y = oy * 3
            #expect(Array(overview.image.pixels[o..<(o + 3)]) == [UInt8(x % 256), UInt8(y % 256), UInt8((x + y) % 256)], "\(ox),\(oy)")
        }
        // A tall frame is bounded by its height.
        let tall = try withFrame(width: 100, height: 1300) { try $0.overview(region: nil) }
        #expect(tall.step == 3 && tall.image.height == 434 && tall.image.width == 34)
    }

    @Test func aTruncatedFrameIsRefusedNotRead() {
        let bytes = [UInt8](repeating: 0, count: 100)
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(CaptureError) in
                try Frame(pixelFormat: .rgb24, width: 64, height: 64, bytesPerRow: 192, sequence: 3, timestampNanoseconds: 1, bytes: raw)
                    .overview(region: nil)
            }
        }
        guard case .failure(.truncatedFrame) = result else { Issue.record("got \(result)"); return }
    }
}
