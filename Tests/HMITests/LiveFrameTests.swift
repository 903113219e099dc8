import Capture
import Configuration
import ImageCodec
import Imaging
import Logging
import Service
import Testing
@testable import HMI

@Suite struct LiveFrameTests {
    /// A grey 320x240 overview of a 640x480 frame (step 2) with the region at (160, 80) 320x320.
    let overview: FrameOverview = {
        var image = Image(width: 320, height: 240, layout: .rgb)
        for i in 0..<image.pixels.count { image.pixels[i] = 100 }
        return FrameOverview(image: image, step: 2, region: PixelRect(x: 160, y: 80, width: 320, height: 320))
    }()

    func pixel(_ image: Image, _ x: Int, _ y: Int) -> [UInt8] {
        let o = (y * image.width + x) * 3
        return Array(image.pixels[o..<(o + 3)])
    }

    @Test func theRegionIsOutlinedInTheVerdictsColourAndTheRestLeftAsCaptured() {
        let pass = LiveFrame.compose(overview, verdict: .pass, map: nil, mapSize: 0, threshold: nil)
        let reject = LiveFrame.compose(overview, verdict: .reject, map: nil, mapSize: 0, threshold: nil)
        let c = LiveFrame.passColour, r = LiveFrame.rejectColour
        // The box in overview pixels: x 80..<240, y 40..<200.
        #expect(pixel(pass, 80, 100) == [c.0, c.1, c.2] && pixel(pass, 239, 100) == [c.0, c.1, c.2])
        #expect(pixel(pass, 150, 40) == [c.0, c.1, c.2] && pixel(pass, 150, 199) == [c.0, c.1, c.2])
        #expect(pixel(reject, 81, 120) == [r.0, r.1, r.2])
        for (x, y) in [(79, 100), (240, 100), (150, 39), (150, 200), (150, 120), (10, 10)] {
            #expect(pixel(pass, x, y) == [100, 100, 100], "\(x),\(y)")
        }
    }

    @Test func theHeatmapIsDrawnWhereTheModelSawIt() {
        // Hot in the crop's top-left 8x8 corner only: the crop starts 16/256 of the region in.
        var map = [Float](repeating: 0, count: 224 * 224)
        for v in 0..<8 { for u in 0..<8 { map[v * 224 + u] = 10 } }
        let picture = LiveFrame.compose(overview, verdict: .reject, map: map, mapSize: 224, threshold: 5)
        // Region pixel 16/256 * 320 = 20 in, so overview (160 + 20) / 2 = 90 ... about 4 overview pixels of heat.
        #expect(pixel(picture, 92, 52) != [100, 100, 100])
        #expect(pixel(picture, 92, 52)[0] > 150, "hot is red")
        #expect(pixel(picture, 86, 52) == [100, 100, 100], "before the crop")
        #expect(pixel(picture, 100, 60) == [100, 100, 100], "beyond the hot corner")
        #expect(pixel(picture, 160, 120) == [100, 100, 100], "cold map")
        // A map of the wrong shape is not drawn.
        let odd = LiveFrame.compose(overview, verdict: .reject, map: [1, 2, 3], mapSize: 224, threshold: 5)
        #expect(pixel(odd, 92, 52) == [100, 100, 100])
    }

    @Test func theLiveFrameIsServedOncePartsBringFrames() throws {
        let hmi = HMIServer(settings: HMISettings(host: "127.0.0.1", port: 1), token: nil, archive: nil, requests: ServiceRequests(),
                            actions: nil, logger: Logger(label: "test"))
        let frame = HTTPRequest(method: "GET", path: Array("/live/frame.jpg".utf8))
        #expect(hmi.respond(frame).status == 404)
        #expect(hmi.wantsFrames)
        var record = PartRecord(part: 3, sequence: 3, captureNs: 1, score: 1, threshold: 2, verdict: .pass, reason: "score",
                                modelID: nil, latencyNs: nil)
        record.offset = PartOffset(dx: 12.5, dy: -4, angleDegrees: 1.5, quality: 0.95, located: true)
        hmi.part(record, image: PartImage(region: Image(width: 320, height: 320, layout: .rgb), map: nil, mapSize: 0, frame: overview))
        let response = hmi.respond(frame)
        #expect(response.status == 200 && response.contentType == "image/jpeg")
        let decoded = try ImageDecoder.decode(response.body, path: "frame.jpg")
        #expect(decoded.width == 320 && decoded.height == 240)
        let state = String(decoding: hmi.respond(HTTPRequest(method: "GET", path: Array("/api/state".utf8))).body, as: UTF8.self)
        #expect(state.contains("\"view\":{") && state.contains("\"width\":320") && state.contains("\"step\":2"))
        #expect(state.contains("\"dx_px\":12.5") && state.contains("\"angle_deg\":1.5"), "the live part's offset is in the state")
    }
}
