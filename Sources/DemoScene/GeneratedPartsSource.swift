import Capture
import Imaging
import Platform

/// A frame source that shows a scripted stream of generated parts, paced like a camera: what the
/// demo and the service tests use instead of a camera. Frame n shows `script(n)`; nil ends the
/// stream (`CaptureError.replayFinished`).
public final class GeneratedPartsSource: FrameSource {
    public let framesPerSecond: Double
    public private(set) var statistics = CaptureStatistics()
    private let script: (Int) -> Image?
    private let clock: any MonotonicClock
    private var index = 0
    private var startNs: UInt64 = 0

    public init(framesPerSecond: Double, clock: any MonotonicClock, script: @escaping (Int) -> Image?) {
        self.framesPerSecond = framesPerSecond
        self.clock = clock
        self.script = script
    }

    public var name: String { "generated parts" }

    public func start() throws(CaptureError) {
        startNs = clock.nowNs
    }

    public func stop() {}

    public func withNextFrame<R>(timeout: Duration, _ body: (Frame) throws -> R) throws -> R {
        guard let image = script(index) else { throw CaptureError.replayFinished(folder: name) }
        let due = startNs &+ UInt64(Double(index) * 1e9 / framesPerSecond)
        clock.sleep(untilNs: due)
        let sequence = UInt32(truncatingIfNeeded: index)
        index += 1
        statistics.framesDelivered += 1
        let timestamp = clock.nowNs
        return try image.pixels.withUnsafeBytes { bytes in
            try body(Frame(pixelFormat: image.layout == .grey ? .grey : .rgb24, width: image.width, height: image.height,
                           bytesPerRow: image.width * image.layout.channels, sequence: sequence,
                           timestampNanoseconds: timestamp, fullRangeYUV: true, bytes: bytes))
        }
    }
}
