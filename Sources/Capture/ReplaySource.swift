import Imaging
import Platform
import SystemPackage

/// Decodes one image file: the lead's ImageCodec provides PNG and JPEG; tests pass their own.
public typealias ImageLoader = (_ path: String) throws -> Image

/// Replays the images of a folder as frames (RGB24 or GREY), in name order, looping, optionally
/// paced to a frame rate, for demos, benchmarks and tests.
public final class ReplaySource: FrameSource {
    public let folder: String
    public let framesPerSecond: Double?
    public let loops: Bool
    public private(set) var statistics = CaptureStatistics()
    /// The image files found by `start()`, in replay order.
    public private(set) var files: [String] = []

    private let loader: ImageLoader
    private let clock: any MonotonicClock
    private let extensions: Set<String>
    private let cachesImages: Bool
    private var cache: [Int: Image] = [:]
    private var nextIndex = 0
    private var sequence: UInt32 = 0
    private var startTime: UInt64 = 0
    private var isStarted = false

    /// - Parameters:
    ///   - extensions: lower-case file extensions replayed (others in the folder are ignored).
    ///   - cachesImages: decode each file once and keep it (benchmarks); else decode per frame.
    public init(folder: String, framesPerSecond: Double? = nil, loops: Bool = true,
                extensions: Set<String> = ["png", "jpg", "jpeg"], cachesImages: Bool = false,
                clock: any MonotonicClock = SystemClock(), loader: @escaping ImageLoader) {
        precondition(framesPerSecond.map { $0 > 0 } ?? true, "frame rate must be positive")
        self.folder = folder
        self.framesPerSecond = framesPerSecond
        self.loops = loops
        self.extensions = extensions
        self.cachesImages = cachesImages
        self.clock = clock
        self.loader = loader
    }

    public var name: String { folder }

    public func start() throws(CaptureError) {
        let names: [String]
        do {
            names = try Directory.entries(folder)
        } catch {
            throw .replayFolderUnreadable(folder: folder, errno: error.errno)
        }
        files = names.filter { name in
            guard let dot = name.lastIndex(of: "."), !name.hasPrefix(".") else { return false }
            return extensions.contains(String(name[name.index(after: dot)...]).lowercased())
        }.map { folder.hasSuffix("/") ? folder + $0 : folder + "/" + $0 }
        guard !files.isEmpty else { throw .replayFolderEmpty(folder: folder) }
        cache.removeAll()
        nextIndex = 0
        sequence = 0
        startTime = clock.nowNs
        isStarted = true
    }

    public func stop() {
        isStarted = false
        cache.removeAll()
    }

    /// Waits until the frame is due (at the configured rate; at most `timeout`), loads the next image
    /// and lends it as a frame whose timestamp is the clock's.
    public func withNextFrame<R>(timeout: Duration, _ body: (Frame) throws -> R) throws -> R {
        guard isStarted else { throw CaptureError.notStarted(source: name) }
        if nextIndex == files.count {
            guard loops else { throw CaptureError.replayFinished(folder: folder) }
            nextIndex = 0
        }
        if let framesPerSecond {
            let due = startTime &+ UInt64((Double(sequence) * 1e9 / framesPerSecond).rounded())
            let now = clock.nowNs
            if due > now {
                let wait = due - now
                if wait > timeout.nanoseconds {
                    clock.sleep(for: timeout)
                    statistics.timeouts += 1
                    throw CaptureError.noFrame(device: folder, timeout: timeout)
                }
                clock.sleep(for: .nanoseconds(Int64(wait)))
            }
        }
        let index = nextIndex
        let image = try load(index)
        nextIndex += 1
        let frameSequence = sequence
        sequence &+= 1
        statistics.framesDelivered += 1
        let timestamp = clock.nowNs
        return try image.pixels.withUnsafeBytes { bytes in
            try body(Frame(pixelFormat: image.layout == .grey ? .grey : .rgb24, width: image.width,
                           height: image.height, bytesPerRow: image.width * image.layout.channels,
                           sequence: frameSequence, timestampNanoseconds: timestamp, fullRangeYUV: true,
                           bytes: bytes))
        }
    }

    private func load(_ index: Int) throws(CaptureError) -> Image {
        if let image = cache[index] { return image }
        let image: Image
        do {
            image = try loader(files[index])
        } catch {
            throw .replayImageUnreadable(path: files[index], reason: "\(error)")
        }
        if cachesImages { cache[index] = image }
        return image
    }
}
