import CV4L2Types
import Capture
import CaptureFakes
import Imaging
import SystemPackage
import Testing

@Suite("V4L2Camera against the fake kernel")
struct V4L2CameraTests {
    // MARK: Negotiation

    @Test func startNegotiatesInKernelOrderAndStreams() throws {
        let rig = FakeRig(configuration: CameraConfiguration(device: "/dev/video0", framesPerSecond: 30, bufferCount: 3))
        try rig.camera.start()
        #expect(rig.kernel.callNames == [
            "open /dev/video0", "VIDIOC_QUERYCAP", "VIDIOC_S_FMT", "VIDIOC_G_PARM", "VIDIOC_S_PARM", "VIDIOC_REQBUFS",
            "VIDIOC_QUERYBUF", "mmap 614400@0", "VIDIOC_QUERYBUF", "mmap 614400@614400",
            "VIDIOC_QUERYBUF", "mmap 614400@1228800",
            "VIDIOC_QBUF", "VIDIOC_QBUF", "VIDIOC_QBUF", "VIDIOC_STREAMON",
        ])
        #expect(rig.camera.formatNegotiation == .accepted(FrameFormat(width: 640, height: 480, pixelFormat: .yuyv)))
        #expect(rig.camera.grantedFrameRate == FrameRate(framesPerSecond: 30))
        #expect(rig.kernel.isStreaming && rig.kernel.queuedBufferCount == 3)
    }

    @Test func adjustedFormatIsReportedAndUsed() throws {
        let rig = FakeRig(configuration: CameraConfiguration(device: "/dev/video0", width: 800, height: 600))
        try rig.camera.start()
        let requested = FrameFormat(width: 800, height: 600, pixelFormat: .yuyv)
        let granted = FrameFormat(width: 640, height: 480, pixelFormat: .yuyv)
        #expect(rig.camera.formatNegotiation == .adjusted(requested: requested, granted: granted))
        #expect(rig.events.events.contains(.formatNegotiated(.adjusted(requested: requested, granted: granted))))
        let size = try rig.camera.withNextFrame(timeout: .seconds(1)) { ($0.width, $0.height) }
        #expect(size == (640, 480))
    }

    @Test func adjustedFormatIsRefusedInStrictMode() {
        let rig = FakeRig(configuration: CameraConfiguration(device: "/dev/video0", width: 800, height: 600, strict: true))
        #expect(throws: CaptureError.formatAdjusted(device: "/dev/video0",
                                                     requested: FrameFormat(width: 800, height: 600, pixelFormat: .yuyv),
                                                     granted: FrameFormat(width: 640, height: 480, pixelFormat: .yuyv))) {
            try rig.camera.start()
        }
        #expect(rig.kernel.isIdle)
        #expect(rig.kernel.count(of: .requestBuffers) == 0)
    }

    @Test func unknownPixelFormatIsAdjustedToWhatTheDriverOffers() throws {
        let rig = FakeRig(model: .monochrome(), configuration: CameraConfiguration(device: "/dev/video0", pixelFormat: .yuyv))
        try rig.camera.start()
        #expect(rig.camera.formatNegotiation?.granted == FrameFormat(width: 640, height: 480, pixelFormat: .grey))
        let image = try rig.camera.nextImage(timeout: .seconds(1))
        #expect(image.image.layout == .grey)
    }

    @Test func compressedGrantIsUnusable() {
        let model = FakeCameraModel(formats: [.init(.mjpeg, "Motion-JPEG", sizes: [.init(640, 480)])])
        let rig = FakeRig(model: model)
        #expect(throws: CaptureError.formatUnusable(device: "/dev/video0",
                                                     granted: FrameFormat(width: 640, height: 480, pixelFormat: .mjpeg,
                                                                          frameBytes: 640 * 480))) {
            try rig.camera.start()
        }
        #expect(rig.kernel.isIdle)
    }

    @Test func frameRateIsRoundedByDriverAndReported() throws {
        let rig = FakeRig(configuration: CameraConfiguration(device: "/dev/video0", framesPerSecond: 25))
        try rig.camera.start()
        #expect(rig.camera.grantedFrameRate == FrameRate(framesPerSecond: 30))
        #expect(rig.events.events.contains(.frameRateNegotiated(requested: 25, granted: FrameRate(framesPerSecond: 30))))
    }

    @Test func frameRateMismatchIsRefusedInStrictMode() {
        let rig = FakeRig(configuration: CameraConfiguration(device: "/dev/video0", framesPerSecond: 25, strict: true))
        #expect(throws: CaptureError.frameRateNotGranted(device: "/dev/video0", requested: 25,
                                                          granted: FrameRate(framesPerSecond: 30))) {
            try rig.camera.start()
        }
        #expect(rig.kernel.isIdle)
    }

    @Test func driverWithoutFrameIntervalsSkipsSParm() throws {
        var model = FakeCameraModel.uvcWebcam()
        model.supportsFrameInterval = false
        let rig = FakeRig(model: model, configuration: CameraConfiguration(device: "/dev/video0", framesPerSecond: 30))
        try rig.camera.start()
        #expect(rig.camera.grantedFrameRate == nil)
        #expect(rig.kernel.count(of: .setParameters) == 0)
    }

    @Test func deviceWithoutStreamingIsRefused() {
        var model = FakeCameraModel.uvcWebcam()
        model.capabilities = UInt32(V4L2_CAP_VIDEO_CAPTURE) | UInt32(V4L2_CAP_READWRITE)
        let rig = FakeRig(model: model)
        #expect(throws: CaptureError.notAVideoCaptureDevice(device: "/dev/video0", missing: "streaming")) {
            try rig.camera.start()
        }
        #expect(rig.kernel.isIdle)
    }

    @Test func regionOfInterestOutsideGrantedFormatIsRefusedAtStart() {
        let roi = PixelRect(x: 400, y: 0, width: 448, height: 448)
        let rig = FakeRig(configuration: CameraConfiguration(device: "/dev/video0", regionOfInterest: roi))
        #expect(throws: CaptureError.roiOutsideFrame(roi: roi, width: 640, height: 480)) { try rig.camera.start() }
        #expect(rig.kernel.isIdle)
    }

    @Test func byIDNameOpensTheStableLink() {
        let config = CameraConfiguration(device: "usb-Fake_Cam_0001-video-index0")
        #expect(config.devicePath == "/dev/v4l/by-id/usb-Fake_Cam_0001-video-index0")
        #expect(CameraConfiguration(device: "/dev/video2").devicePath == "/dev/video2")
    }

    // MARK: Streaming loop

    @Test func streamingLoopDequeuesLendsAndRequeuesEachBuffer() throws {
        let rig = FakeRig(configuration: CameraConfiguration(device: "/dev/video0", framesPerSecond: 30, bufferCount: 4))
        try rig.camera.start()
        rig.kernel.forgetCalls()
        var sequences: [UInt32] = []
        var stamps: [UInt64] = []
        for _ in 0..<10 {
            try rig.camera.withNextFrame(timeout: .milliseconds(100)) { frame in
                sequences.append(frame.sequence)
                stamps.append(frame.timestampNanoseconds)
                #expect(rig.kernel.queuedBufferCount == 3)  // lent buffer is out of the driver's queue
            }
        }
        #expect(sequences == Array(0..<10))
        let gaps = zip(stamps.dropFirst(), stamps).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 >= 33_333_000 && $0 <= 33_334_000 })  // 30 fps, microsecond timestamps
        #expect(rig.kernel.callNames.prefix(3) == ["poll 100ms", "VIDIOC_DQBUF", "VIDIOC_QBUF"])
        #expect(rig.kernel.count(of: .dequeueBuffer) == 10 && rig.kernel.count(of: .queueBuffer) == 10)
        #expect(rig.kernel.queuedBufferCount == 4)
        #expect(rig.camera.statistics.framesDelivered == 10 && rig.camera.statistics.framesDropped == 0)
    }

    @Test func frameBytesComeFromTheDriverBufferWithPaddedRows() throws {
        var model = FakeCameraModel.monochrome()
        model.rowPadding = 32
        let rig = FakeRig(model: model)
        rig.kernel.paintFrame = { sequence, buffer in
            for row in 0..<480 {
                for column in 0..<640 { buffer[row * 672 + column] = UInt8(truncatingIfNeeded: row &+ column &+ Int(sequence)) }
            }
        }
        try rig.camera.start()
        _ = try rig.camera.nextSequence()
        let captured = try rig.camera.nextImage(timeout: .seconds(1), roi: PixelRect(x: 10, y: 20, width: 3, height: 2))
        #expect(captured.sequence == 1)
        #expect(captured.image.pixels == [31, 32, 33, 32, 33, 34])
    }

    @Test func droppedFramesAreCountedFromSequenceGaps() throws {
        let rig = FakeRig()
        try rig.camera.start()
        _ = try rig.camera.nextSequence()
        rig.kernel.skipSequences(3)
        #expect(try rig.camera.nextSequence() == 4)
        #expect(try rig.camera.nextSequence() == 5)
        #expect(rig.camera.statistics.framesDropped == 3)
        #expect(rig.events.events.contains(.framesDropped(count: 3, beforeSequence: 4)))
    }

    @Test func corruptBufferIsRequeuedAndSkipped() throws {
        let rig = FakeRig()
        try rig.camera.start()
        rig.kernel.corruptNextFrames(1)
        #expect(try rig.camera.nextSequence() == 1)
        #expect(rig.camera.statistics.corruptFrames == 1)
        #expect(rig.kernel.count(of: .dequeueBuffer) == 2 && rig.kernel.count(of: .queueBuffer) == 4 + 2)
    }

    @Test func bodyErrorStillRequeuesTheBuffer() throws {
        struct BodyFailed: Error {}
        let rig = FakeRig(configuration: CameraConfiguration(device: "/dev/video0", bufferCount: 2))
        try rig.camera.start()
        for _ in 0..<5 {
            #expect(throws: BodyFailed.self) { try rig.camera.withNextFrame(timeout: .seconds(1)) { _ in throw BodyFailed() } }
        }
        #expect(rig.kernel.queuedBufferCount == 2)
        #expect(try rig.camera.nextSequence() == 5)
    }

    @Test func stopReleasesEverythingInOrder() throws {
        let rig = FakeRig()
        try rig.camera.start()
        _ = try rig.camera.nextSequence()
        rig.kernel.forgetCalls()
        rig.camera.stop()
        #expect(rig.kernel.callNames == ["VIDIOC_STREAMOFF", "munmap 614400", "munmap 614400", "munmap 614400",
                                         "munmap 614400", "close 3"])
        #expect(rig.kernel.isIdle)
        rig.camera.stop()
        #expect(rig.kernel.calls.count == 6)
        #expect(throws: CaptureError.notStarted(source: "/dev/video0")) { try rig.camera.nextSequence() }
    }

    @Test func restartAfterStopStreamsFromSequenceZero() throws {
        let rig = FakeRig()
        try rig.camera.start()
        _ = try rig.camera.nextSequence()
        _ = try rig.camera.nextSequence()
        try rig.camera.start()
        #expect(try rig.camera.nextSequence() == 0)
        #expect(rig.kernel.openDescriptors.count == 1)
        #expect(rig.camera.statistics.framesDropped == 0)
    }

    // MARK: EINTR

    @Test func dequeueRetriesAfterEINTR() throws {
        let rig = FakeRig()
        try rig.camera.start()
        rig.kernel.fail(.ioctl(.dequeueBuffer), with: .interrupted, times: 3)
        #expect(try rig.camera.nextSequence() == 0)
        #expect(rig.kernel.count(of: .dequeueBuffer) == 4)
    }

    @Test func pollAndSetupCallsRetryAfterEINTR() throws {
        let rig = FakeRig()
        rig.kernel.fail(.open, with: .interrupted, times: 2)
        rig.kernel.fail(.ioctl(.setFormat), with: .interrupted, times: 2)
        rig.kernel.fail(.ioctl(.queueBuffer), with: .interrupted)
        rig.kernel.fail(.poll, with: .interrupted, times: 2)
        try rig.camera.start()
        #expect(try rig.camera.nextSequence() == 0)
        #expect(rig.kernel.callNames.filter { $0.hasPrefix("open") }.count == 3)
        #expect(rig.kernel.count(of: .setFormat) == 3)
        #expect(rig.kernel.callNames.filter { $0.hasPrefix("poll") }.count == 3)
    }

    @Test func otherErrnoIsNotRetried() {
        let rig = FakeRig()
        rig.kernel.fail(.ioctl(.requestBuffers), with: .noMemory)
        #expect(throws: CaptureError.systemCallFailed(device: "/dev/video0", operation: "VIDIOC_REQBUFS", errno: .noMemory)) {
            try rig.camera.start()
        }
        #expect(rig.kernel.count(of: .requestBuffers) == 1)
        #expect(rig.kernel.isIdle)
    }

    // MARK: Faults

    @Test func noFrameWithinTimeoutIsTypedError() throws {
        let rig = FakeRig()
        try rig.camera.start()
        rig.kernel.stallPolls(1)
        let before = rig.kernel.clock.nowNs
        #expect(throws: CaptureError.noFrame(device: "/dev/video0", timeout: .milliseconds(250))) {
            try rig.camera.nextSequence(timeout: .milliseconds(250))
        }
        #expect(rig.kernel.clock.nowNs - before == 250_000_000)
        #expect(rig.camera.statistics.timeouts == 1)
        #expect(try rig.camera.nextSequence() == 0)
    }

    @Test func timeoutShorterThanFrameIntervalTimesOut() throws {
        let rig = FakeRig(configuration: CameraConfiguration(device: "/dev/video0", framesPerSecond: 15))
        try rig.camera.start()
        _ = try rig.camera.nextSequence()
        #expect(throws: CaptureError.noFrame(device: "/dev/video0", timeout: .milliseconds(20))) {
            try rig.camera.nextSequence(timeout: .milliseconds(20))
        }
        #expect(try rig.camera.nextSequence(timeout: .milliseconds(100)) == 1)
    }

    @Test func unplugWhileStreamingSurfacesDeviceGoneAndStopCleansUp() throws {
        let rig = FakeRig()
        try rig.camera.start()
        _ = try rig.camera.nextSequence()
        rig.kernel.unplug()
        #expect(throws: CaptureError.deviceGone(device: "/dev/video0", operation: "VIDIOC_DQBUF",
                                                 errno: .operationNotSupportedByDevice)) {
            try rig.camera.nextSequence()
        }
        rig.camera.stop()
        #expect(rig.kernel.isIdle)
    }

    @Test func unplugDuringDequeueIsDeviceGoneWithErrno() throws {
        let rig = FakeRig()
        try rig.camera.start()
        rig.kernel.fail(.ioctl(.dequeueBuffer), with: .ioError)
        let error = #expect(throws: CaptureError.self) { try rig.camera.nextSequence() }
        #expect(error == .deviceGone(device: "/dev/video0", operation: "VIDIOC_DQBUF", errno: .ioError))
        #expect(error?.isTransient == true)
    }

    @Test func busyDeviceIsTypedAndReleased() {
        let rig = FakeRig()
        rig.kernel.isHeldByAnotherProcess = true
        #expect(throws: CaptureError.deviceBusy(device: "/dev/video0", operation: "VIDIOC_S_FMT")) { try rig.camera.start() }
        #expect(rig.kernel.isIdle)
    }

    @Test func permissionDeniedNamesTheVideoGroup() {
        let rig = FakeRig()
        rig.kernel.deniesPermission = true
        let error = #expect(throws: CaptureError.self) { try rig.camera.start() }
        #expect(error == .permissionDenied(device: "/dev/video0"))
        #expect(error?.description.contains("'video' group") == true)
    }

    @Test func missingDeviceIsNotFound() {
        let rig = FakeRig(configuration: CameraConfiguration(device: "/dev/video7"))
        #expect(throws: CaptureError.deviceNotFound(device: "/dev/video7")) { try rig.camera.start() }
    }

    @Test func mmapFailureIsNamedAndLeavesNothingOpen() {
        let rig = FakeRig()
        rig.kernel.fail(.mmap, with: .noMemory)
        #expect(throws: CaptureError.systemCallFailed(device: "/dev/video0", operation: "mmap of buffer 0", errno: .noMemory)) {
            try rig.camera.start()
        }
        #expect(rig.kernel.isIdle)
    }

    @Test func failureAfterMappingUnmapsEveryBufferAndCloses() {
        let rig = FakeRig()
        rig.kernel.fail(.ioctl(.streamOn), with: .noSpace)
        #expect(throws: CaptureError.systemCallFailed(device: "/dev/video0", operation: "VIDIOC_STREAMON", errno: .noSpace)) {
            try rig.camera.start()
        }
        #expect(rig.kernel.callNames.filter { $0.hasPrefix("munmap") }.count == 4)
        #expect(rig.kernel.isIdle)
        #expect(!rig.camera.isStreaming)
    }
}
