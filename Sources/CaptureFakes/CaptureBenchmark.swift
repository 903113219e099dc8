import Capture
import Imaging
import Platform

/// Per-frame capture overhead through the fake kernel: poll, VIDIOC_DQBUF, the ROI conversion into
/// a reused image, VIDIOC_QBUF. The kernel's own cost (DMA, libv4l2 conversion) is not in it; the
/// frames are real 640x480 buffers in memory, so the conversion work is the real work.
public enum CaptureBenchmark {
    /// Wall time per frame for one case, in nanoseconds.
    public struct Figures: Sendable, CustomStringConvertible {
        public var name: String
        public var frames: Int
        public var medianNanoseconds: UInt64
        public var p99Nanoseconds: UInt64

        public var description: String {
            "\(name): median \(medianNanoseconds) ns, p99 \(p99Nanoseconds) ns over \(frames) frames"
        }
    }

    /// One case: camera pixel format, ROI (nil: whole frame), image layout (nil: dequeue and requeue only).
    public struct Case: Sendable {
        public var name: String
        public var pixelFormat: PixelFormat
        public var roi: PixelRect?
        public var layout: Image.Layout?

        public init(name: String, pixelFormat: PixelFormat, roi: PixelRect?, layout: Image.Layout?) {
            self.name = name
            self.pixelFormat = pixelFormat
            self.roi = roi
            self.layout = layout
        }
    }

    /// The cases `lineside bench --capture` reports at 640x480.
    public static let standardCases: [Case] = [
        Case(name: "YUYV dequeue+requeue only", pixelFormat: .yuyv, roi: nil, layout: nil),
        Case(name: "YUYV -> RGB 640x480", pixelFormat: .yuyv, roi: nil, layout: .rgb),
        Case(name: "YUYV -> RGB ROI 448x448", pixelFormat: .yuyv, roi: PixelRect(x: 97, y: 16, width: 448, height: 448), layout: .rgb),
        Case(name: "GREY -> grey 640x480", pixelFormat: .grey, roi: nil, layout: .grey),
        Case(name: "GREY -> RGB ROI 448x448", pixelFormat: .grey, roi: PixelRect(x: 97, y: 16, width: 448, height: 448), layout: .rgb),
    ]

    public static func run(frames: Int = 1000, cases: [Case] = standardCases) throws -> [Figures] {
        try cases.map { try run(frames: frames, case: $0) }
    }

    public static func run(frames: Int, case benchmark: Case) throws -> Figures {
        precondition(frames > 0, "at least one frame")
        let model = FakeCameraModel(formats: [
            FakeCameraModel.Format(benchmark.pixelFormat, "benchmark", sizes: [FakeCameraModel.Size(640, 480)],
                                   framesPerSecond: [30]),
        ])
        let kernel = FakeV4L2Kernel(model: model)
        kernel.isRecording = false
        let camera = V4L2Camera(configuration: CameraConfiguration(device: model.path, pixelFormat: benchmark.pixelFormat,
                                                                   regionOfInterest: benchmark.roi),
                                device: kernel, clock: kernel.clock)
        try camera.start()
        defer { camera.stop() }
        let region = benchmark.roi ?? PixelRect(x: 0, y: 0, width: 640, height: 480)
        var image = Image(width: region.width, height: region.height, layout: benchmark.layout ?? .grey)
        let wallClock = SystemClock()
        var samples: [UInt64] = []
        samples.reserveCapacity(frames)
        for _ in 0..<(frames + frames / 10) {  // the first tenth warms caches and is discarded
            let start = wallClock.nowNs
            try camera.withNextFrame(timeout: .seconds(1)) { frame in
                if benchmark.layout != nil { try frame.copy(roi: benchmark.roi, into: &image) }
            }
            samples.append(wallClock.nowNs - start)
        }
        let measured = samples.dropFirst(frames / 10).sorted()
        return Figures(name: benchmark.name, frames: measured.count, medianNanoseconds: measured[measured.count / 2],
                       p99Nanoseconds: measured[min(measured.count - 1, measured.count * 99 / 100)])
    }
}
