import Testing
@testable import Imaging
import PlatformFakes

@Suite struct ResampleFilterTests {
    @Test func weightsSumToOneAndStayInBounds() {
        for (input, output) in [(512, 256), (103, 256), (900, 256), (256, 256), (4000, 256)] {
            let filter = ResampleFilter(inputSize: input, outputSize: output)
            for x in 0..<output {
                let w = filter.weights[(x * filter.maximumTaps)..<(x * filter.maximumTaps + filter.counts[x])]
                #expect(abs(w.reduce(0, +) - 1) < 1e-5)
                #expect(filter.starts[x] >= 0 && filter.starts[x] + filter.counts[x] <= input)
            }
        }
    }

    @Test func sameSizeIsIdentity() {
        let filter = ResampleFilter(inputSize: 256, outputSize: 256)
        #expect(filter.counts.allSatisfy { $0 == 1 })
        #expect(filter.starts == Array(0..<256))
    }

    @Test func halvingAveragesPairsWithTriangleWeights() {
        // scale 2, support 2: centre 2x+1, taps 2x-1...2x+2 weighted 1/8, 3/8, 3/8, 1/8.
        let filter = ResampleFilter(inputSize: 512, outputSize: 256)
        let x = 10
        #expect(filter.starts[x] == 19 && filter.counts[x] == 4)
        let w = Array(filter.weights[(x * filter.maximumTaps)..<(x * filter.maximumTaps + 4)])
        #expect(w.map { ($0 * 8).rounded() } == [1, 3, 3, 1])
    }
}

@Suite struct PreprocessorTests {
    func gradient(width: Int, height: Int, layout: Image.Layout) -> Image {
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<layout.channels { pixels.append(UInt8((x * 3 + y * 5 + c * 40) % 256)) }
            }
        }
        return Image(width: width, height: height, layout: layout, pixels: pixels)
    }

    @Test func constantImageStaysConstantAndQuantizesBy128() {
        var p = Preprocessor()
        let image = Image(width: 300, height: 200, layout: .rgb, pixels: [UInt8](repeating: 77, count: 300 * 200 * 3))
        var out = [Int8](repeating: 0, count: Preprocessor.inputCount)
        out.withUnsafeMutableBufferPointer { p.prepare(image, into: $0) }
        #expect(out.allSatisfy { Int($0) == 77 - 128 })
    }

    @Test func greyImageEqualsRGBWithEqualChannels() {
        var p = Preprocessor()
        let grey = gradient(width: 333, height: 287, layout: .grey)
        let rgb = Image(width: 333, height: 287, layout: .rgb, pixels: grey.pixels.flatMap { [$0, $0, $0] })
        #expect(p.croppedRGB(grey) == p.croppedRGB(rgb))
    }

    @Test func regionOfInterestEqualsCroppedImage() {
        var p = Preprocessor()
        let image = gradient(width: 640, height: 480, layout: .rgb)
        let roi = PixelRect(x: 100, y: 40, width: 300, height: 320)
        var cropped: [UInt8] = []
        for y in roi.y..<(roi.y + roi.height) {
            cropped += image.pixels[((y * 640 + roi.x) * 3)..<((y * 640 + roi.x + roi.width) * 3)]
        }
        let direct = p.croppedRGB(Image(width: roi.width, height: roi.height, layout: .rgb, pixels: cropped))
        #expect(p.croppedRGB(image, region: roi) == direct)
    }

    @Test func matchesADirectEvaluationOfTheSpec() {
        // Independent re-statement of the spec, computed in Double, for a 97x61 grey image.
        let image = gradient(width: 97, height: 61, layout: .grey)
        var p = Preprocessor()
        let out = p.croppedRGB(image)
        var worst = 0
        for (oy, ox) in [(0, 0), (100, 37), (223, 223), (57, 200)] {
            var v = 0.0
            for (sy, wy) in specTaps(61, oy + 16) {
                for (sx, wx) in specTaps(97, ox + 16) { v += wy * wx * Double(image.pixels[sy * 97 + sx]) }
            }
            let expected = Int(min(255, max(0, (v + 0.5).rounded(.down))))
            worst = max(worst, abs(Int(out.pixels[(oy * 224 + ox) * 3]) - expected))
        }
        #expect(worst <= 1)  // float32 vs float64 accumulation may differ at a .5 boundary
    }

    /// Every third row of the whole input against the spec in Double, colour, shrinking on one
    /// axis and growing on the other (2 to 5 taps, so CResample's four-pixel groups mix tap
    /// counts), from a region that does not start at the frame's corner.
    @Test func everyPixelOfAColourRegionMatchesTheSpec() {
        let width = 530
        let image = noise(width: width, height: 200, layout: .rgb), pixels = image.pixels
        let roi = PixelRect(x: 17, y: 9, width: 481, height: 150)
        var p = Preprocessor()
        let out = p.croppedRGB(image, region: roi)
        let columns = (0..<224).map { specTaps(roi.width, $0 + 16) }
        var worst = 0, differing = 0, checked = 0
        for oy in stride(from: 0, to: 224, by: 3) {
            let rows = specTaps(roi.height, oy + 16)
            for ox in 0..<224 {
                for c in 0..<3 {
                    var v = 0.0
                    for (sy, wy) in rows {
                        for (sx, wx) in columns[ox] { v += wy * wx * Double(pixels[((roi.y + sy) * width + roi.x + sx) * 3 + c]) }
                    }
                    let expected = Int(min(255, max(0, (v + 0.5).rounded(.down))))
                    let difference = abs(Int(out.pixels[(oy * 224 + ox) * 3 + c]) - expected)
                    worst = max(worst, difference)
                    if difference > 0 { differing += 1 }
                    checked += 1
                }
            }
        }
        #expect(worst <= 1)  // float32 against float64: only at a .5 boundary
        #expect(differing * 1000 < checked, "\(differing) of \(checked) values differ")
    }
}

@Suite struct PreprocessorParallelTests {

    /// Chunks in any order on "4 threads" give the same bytes as one thread: every value is the
    /// same sum in the same order, whoever computes it.
    @Test func chunksInAnyOrderGiveTheSameInputBitForBit() {
        for (image, region) in [(noise(width: 480, height: 480, layout: .rgb), nil as PixelRect?),
                                (noise(width: 640, height: 480, layout: .rgb), PixelRect(x: 80, y: 10, width: 448, height: 448)),
                                (noise(width: 333, height: 287, layout: .grey), nil)] {
            var serial = Preprocessor(), parallel = Preprocessor()
            var a = [Int8](repeating: 0, count: Preprocessor.inputCount), b = a
            a.withUnsafeMutableBufferPointer { serial.prepare(image, region: region, into: $0) }
            let loop = ScrambledLoop(threads: 4)
            b.withUnsafeMutableBufferPointer { parallel.prepare(image, region: region, into: $0, parallel: loop) }
            #expect(a == b, "\(image.width)x\(image.height) \(image.layout)")
            #expect(Set(loop.ran).count == 16, "both passes split into 16 chunks")
            // A second frame of the same size reuses the buffers and still agrees.
            b.withUnsafeMutableBufferPointer { parallel.prepare(image, region: region, into: $0, parallel: loop) }
            #expect(a == b)
        }
    }
    /// The whole 256 view (registration's) holds the model input as its centre crop, bit for bit,
    /// and an input at the resize's size (a view) is only cropped: the same bytes as the filter.
    @Test func theViewsCentreCropIsTheModelInput() {
        for (image, region) in [(noise(width: 480, height: 480, layout: .rgb), nil as PixelRect?),
                                (noise(width: 640, height: 480, layout: .rgb), PixelRect(x: 80, y: 10, width: 448, height: 448)),
                                (noise(width: 333, height: 287, layout: .grey), nil)] {
            var preprocessor = Preprocessor()
            var direct = [Int8](repeating: 0, count: Preprocessor.inputCount)
            direct.withUnsafeMutableBufferPointer { preprocessor.prepare(image, region: region, into: $0) }
            let channels = image.layout.channels
            var view = [UInt8](repeating: 0, count: Preprocessor.viewCount(channels: channels))
            view.withUnsafeMutableBufferPointer { preprocessor.resizeToView(image, region: region, into: $0, parallel: ScrambledLoop(threads: 2)) }
            let viewImage = Image(width: 256, height: 256, layout: image.layout, pixels: view)
            var fromView = [Int8](repeating: 0, count: Preprocessor.inputCount)
            fromView.withUnsafeMutableBufferPointer { preprocessor.prepare(viewImage, into: $0) }
            #expect(fromView == direct, "\(image.width)x\(image.height) \(image.layout)")
        }
    }
}

/// A seeded noise image (the same bytes every run).
func noise(width: Int, height: Int, layout: Image.Layout) -> Image {
    var state: UInt64 = 12345
    let pixels = (0..<(width * height * layout.channels)).map { _ -> UInt8 in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return UInt8(truncatingIfNeeded: state >> 56)
    }
    return Image(width: width, height: height, layout: layout, pixels: pixels)
}

/// The spec's taps for output sample `x` of an axis of `input` samples resized to 256, restated
/// independently in Double: (source index, normalised weight).
func specTaps(_ input: Int, _ x: Int) -> [(Int, Double)] {
    let scale = Double(input) / 256, support = max(scale, 1), centre = (Double(x) + 0.5) * scale
    var taps: [(Int, Double)] = []
    for t in max(0, Int((centre - support).rounded(.down)))..<min(input, Int((centre + support).rounded(.up))) {
        taps.append((t, max(0, 1 - abs((Double(t) + 0.5 - centre) / support))))
    }
    let total = taps.reduce(0) { $0 + $1.1 }
    return taps.map { ($0.0, $0.1 / total) }
}
