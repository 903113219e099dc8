import Capture
import CaptureFakes
import Glibc
import Imaging
import PlatformFakes
import Testing

/// A temporary folder with empty files of the given names, removed on deinit.
final class TemporaryFolder {
    let path: String

    init(files: [String]) {
        var template = Array("/tmp/lineside-replay-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        for name in files {
            let fd = open(path + "/" + name, O_CREAT | O_WRONLY, 0o644)
            precondition(fd >= 0, "cannot create test file")
            close(fd)
        }
    }

    deinit {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}

@Suite("Image-folder replay")
struct ReplaySourceTests {
    /// A loader that makes a 4x2 grey image whose pixels are the file's number ("007.png" -> 7).
    final class NumberedLoader {
        var loads: [String] = []
        func load(_ path: String) throws -> Image {
            loads.append(path)
            let stem = path.split(separator: "/").last!.split(separator: ".").first!
            return Image(width: 4, height: 2, layout: .grey, pixels: [UInt8](repeating: UInt8(stem)!, count: 8))
        }
    }

    @Test func replaysImagesInNameOrderAndLoops() throws {
        let folder = TemporaryFolder(files: ["2.png", "10.jpg", "1.PNG", "notes.txt", ".hidden.png"])
        let loader = NumberedLoader()
        let source = ReplaySource(folder: folder.path, clock: VirtualClock(), loader: loader.load)
        try source.start()
        #expect(source.files.map { $0.split(separator: "/").last! } == ["1.PNG", "10.jpg", "2.png"])
        var seen: [(UInt8, UInt32)] = []
        for _ in 0..<5 {
            try source.withNextFrame(timeout: .seconds(1)) { frame in
                seen.append((frame.bytes[0], frame.sequence))
                #expect(frame.pixelFormat == .grey && frame.width == 4 && frame.bytesPerRow == 4)
            }
        }
        #expect(seen.map(\.0) == [1, 10, 2, 1, 10])
        #expect(seen.map(\.1) == [0, 1, 2, 3, 4])
        #expect(loader.loads.count == 5)
    }

    @Test func cachedReplayDecodesEachFileOnce() throws {
        let folder = TemporaryFolder(files: ["1.png", "2.png"])
        let loader = NumberedLoader()
        let source = ReplaySource(folder: folder.path, cachesImages: true, clock: VirtualClock(), loader: loader.load)
        try source.start()
        for _ in 0..<6 { _ = try source.nextSequence() }
        #expect(loader.loads.count == 2)
    }

    @Test func nonLoopingReplayFinishes() throws {
        let folder = TemporaryFolder(files: ["1.png"])
        let source = ReplaySource(folder: folder.path, loops: false, clock: VirtualClock(), loader: NumberedLoader().load)
        try source.start()
        #expect(try source.nextSequence() == 0)
        #expect(throws: CaptureError.replayFinished(folder: folder.path)) { try source.nextSequence() }
    }

    @Test func frameRatePacesFramesOnTheClock() throws {
        let folder = TemporaryFolder(files: ["1.png", "2.png"])
        let clock = VirtualClock(startNs: 0)
        let source = ReplaySource(folder: folder.path, framesPerSecond: 10, clock: clock, loader: NumberedLoader().load)
        try source.start()
        var stamps: [UInt64] = []
        for _ in 0..<4 { stamps.append(try source.withNextFrame(timeout: .seconds(1)) { $0.timestampNanoseconds }) }
        #expect(stamps == [0, 100_000_000, 200_000_000, 300_000_000])
        #expect(clock.sleeps == [.milliseconds(100), .milliseconds(100), .milliseconds(100)])
    }

    @Test func frameDueAfterTimeoutIsNoFrame() throws {
        let folder = TemporaryFolder(files: ["1.png"])
        let source = ReplaySource(folder: folder.path, framesPerSecond: 1, clock: VirtualClock(), loader: NumberedLoader().load)
        try source.start()
        _ = try source.nextSequence()
        #expect(throws: CaptureError.noFrame(device: folder.path, timeout: .milliseconds(300))) {
            try source.nextSequence(timeout: .milliseconds(300))
        }
        #expect(try source.nextSequence(timeout: .seconds(1)) == 1)
    }

    @Test func roiOfReplayedRGBImageIsCropped() throws {
        let folder = TemporaryFolder(files: ["a.png"])
        let pixels = (0..<(3 * 2 * 3)).map { UInt8($0) }
        let source = ReplaySource(folder: folder.path, clock: VirtualClock()) { _ in
            Image(width: 3, height: 2, layout: .rgb, pixels: pixels)
        }
        try source.start()
        let captured = try source.nextImage(timeout: .seconds(1), roi: PixelRect(x: 1, y: 1, width: 2, height: 1))
        #expect(captured.image.pixels == [12, 13, 14, 15, 16, 17])
    }

    @Test func emptyOrMissingFolderIsTypedError() {
        let folder = TemporaryFolder(files: ["readme.md"])
        #expect(throws: CaptureError.replayFolderEmpty(folder: folder.path)) {
            try ReplaySource(folder: folder.path, loader: NumberedLoader().load).start()
        }
        #expect(throws: CaptureError.replayFolderUnreadable(folder: "/nonexistent/lineside", errno: .noSuchFileOrDirectory)) {
            try ReplaySource(folder: "/nonexistent/lineside", loader: NumberedLoader().load).start()
        }
    }

    @Test func undecodableImageNamesThePath() throws {
        struct Broken: Error, CustomStringConvertible { var description: String { "bad PNG signature" } }
        let folder = TemporaryFolder(files: ["x.png"])
        let source = ReplaySource(folder: folder.path, clock: VirtualClock()) { _ in throw Broken() }
        try source.start()
        #expect(throws: CaptureError.replayImageUnreadable(path: folder.path + "/x.png", reason: "bad PNG signature")) {
            try source.nextSequence()
        }
    }
}
