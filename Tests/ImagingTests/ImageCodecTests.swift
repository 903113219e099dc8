import Glibc
import Testing
@testable import ImageCodec
import Imaging
import Platform

@Suite struct ImageCodecTests {
    let dir: String = {
        var template = Array("/tmp/lineside-codec-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }()

    @Test func pngRoundTripsRGBAndGrey() throws {
        for layout in [Image.Layout.rgb, .grey] {
            let pixels = (0..<(31 * 17 * layout.channels)).map { UInt8(truncatingIfNeeded: $0 * 13) }
            let image = Image(width: 31, height: 17, layout: layout, pixels: pixels)
            #expect(try ImageDecoder.decode(try PNGEncoder.encode(image), path: "mem") == image)
        }
    }

    @Test func emptyFileGetsItsOwnMessage() throws {
        let path = dir + "/empty.png"
        try FileIO.writeAtomically([], to: path)
        #expect(throws: ImageCodecError.empty(path: path)) { try ImageDecoder.read(path) }
    }

    @Test func notAnImageIsNamed() throws {
        let path = dir + "/notes.png"
        try FileIO.writeAtomically(Array("hello, not a picture".utf8), to: path)
        #expect(throws: ImageCodecError.unknownFormat(path: path)) { try ImageDecoder.read(path) }
    }

    @Test func truncatedPNGIsCorruptNotACrash() throws {
        let bytes = try PNGEncoder.encode(Image(width: 64, height: 64, layout: .rgb, pixels: (0..<(64 * 64 * 3)).map { UInt8($0 % 251) }))
        for cut in [9, 40, bytes.count / 2, bytes.count - 13] {
            #expect(throws: ImageCodecError.self) { try ImageDecoder.decode(Array(bytes.prefix(cut)), path: "cut.png") }
        }
    }

    @Test func truncatedJPEGIsCorruptNotACrash() {
        let header: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00]
        #expect(throws: ImageCodecError.self) { try ImageDecoder.decode(header, path: "cut.jpg") }
    }

    @Test func hugePNGIsRefusedBeforeDecoding() throws {
        var bytes = try PNGEncoder.encode(Image(width: 1, height: 1, layout: .grey, pixels: [0]))
        // Rewrite IHDR to 100000 x 100000 and fix its CRC.
        let big: [UInt8] = [0x00, 0x01, 0x86, 0xA0]
        bytes.replaceSubrange(16..<20, with: big)
        bytes.replaceSubrange(20..<24, with: big)
        let crc = crc32(Array(bytes[12..<29]))
        bytes.replaceSubrange(29..<33, with: [UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)])
        #expect(throws: ImageCodecError.tooLarge(path: "huge.png", width: 100_000, height: 100_000)) {
            try ImageDecoder.decode(bytes, path: "huge.png")
        }
    }

    /// A real JPEG from the shared sample set, or nil (said in the output) when it is absent.
    func sampleJPEG() -> String? {
        let path = "../shared/data/imagenet_sample/n01514859_hen.JPEG"
        guard Directory.exists(path) else {
            print("skipped: \(path) is absent (needs ../shared/data)")
            return nil
        }
        return path
    }

    @Test func decodesARealJPEGWhenTheSampleSetIsPresent() throws {
        guard let path = sampleJPEG() else { return }
        let image = try ImageDecoder.read(path)
        #expect(image.layout == .rgb && image.width > 100 && image.height > 100)
    }

    @Test func aJPEGCutShortIsRefusedNotScoredAsIfWhole() throws {
        guard let path = sampleJPEG() else { return }
        let bytes = try FileIO.read(path)
        for fraction in [0.25, 0.5, 0.9] {
            let cut = Array(bytes.prefix(Int(Double(bytes.count) * fraction)))
            do {
                _ = try ImageDecoder.decode(cut, path: "cut.jpg")
                Issue.record("a JPEG cut to \(fraction) of its length decoded")
            } catch {
                #expect(error.description.hasPrefix("cut.jpg"))
            }
        }
    }

    @Test func aPNGWithoutItsIENDChunkIsRefused() throws {
        let bytes = try PNGEncoder.encode(Image(width: 8, height: 8, layout: .grey, pixels: [UInt8](repeating: 9, count: 64)))
        #expect(throws: Never.self) { try ImageDecoder.decode(bytes, path: "whole.png") }
        for cut in [1, 4, 12] {
            #expect(throws: ImageCodecError.self) { try ImageDecoder.decode(Array(bytes.dropLast(cut)), path: "cut.png") }
        }
    }

    func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
