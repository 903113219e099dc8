import Capture
import Imaging
import Logging
import Platform
import Synchronization

/// What the capture side tells the inspection side besides frames.
enum CameraNews: Sendable, Equatable {
    /// No frame for longer than the fault wait: the service faults until one comes.
    case lost(String)
    case back
    /// A finite replay ended.
    case finished
}

/// The capture side of the service, owned by one thread: pulls frames from the source and leaves
/// them in the mailbox, and decides when the camera counts as lost.
///
/// The source a camera gets is a `ReconnectingFrameSource` with the configured `ReconnectPolicy`:
/// a timeout is counted and retried; `restart_after_timeouts` in a row, or an unplug, reopen the
/// stream after the policy's backoff. None of that is a fault by itself: the camera is reported
/// lost only when no frame has arrived for `faultAfterNs` (the `fault_after_ms` key), and back
/// with the next frame.
final class CaptureWorker {
    let makeSource: (any MonotonicClock) throws -> any FrameSource
    let mailbox: FrameMailbox
    let clock: any MonotonicClock
    let frameTimeout: Duration
    let faultAfterNs: UInt64
    let regionOfInterest: PixelRect?
    /// How often a frame also brings its overview (the HMI's live view); nil: never. A frame
    /// brings one when three quarters of that have passed since the last, so a camera whose frame
    /// period equals the interval (or divides it) is not sampled every other time by jitter.
    let overviewEveryNs: UInt64?
    private var lastOverviewNs: UInt64 = 0
    let logger: Logger
    let post: (CameraNews) -> Void

    private(set) var source: (any FrameSource)?
    private(set) var isLost = false
    private(set) var isFinished = false
    /// Last frame, or when the current outage began.
    private var lastFrameNs: UInt64
    private var failuresSinceLog = 0
    private var lastFailureLogNs: UInt64 = 0
    /// Timeouts and source errors seen (the status report's camera line).
    private(set) var failures: UInt64 = 0

    init(makeSource: @escaping (any MonotonicClock) throws -> any FrameSource, mailbox: FrameMailbox, clock: any MonotonicClock,
         frameTimeout: Duration, faultAfter: Duration, regionOfInterest: PixelRect?, overviewEvery: Duration? = nil,
         logger: Logger, post: @escaping (CameraNews) -> Void) {
        self.makeSource = makeSource
        self.mailbox = mailbox
        self.clock = clock
        self.frameTimeout = frameTimeout
        self.faultAfterNs = faultAfter.nanoseconds
        self.regionOfInterest = regionOfInterest
        overviewEveryNs = overviewEvery?.nanoseconds
        self.logger = logger
        self.post = post
        lastFrameNs = clock.nowNs
    }

    var reconnects: UInt64 { source?.statistics.reconnects ?? 0 }

    /// One frame or one failure. Returns false once the source is finished for good (end of a
    /// finite replay).
    @discardableResult
    func step() -> Bool {
        guard !isFinished else { return false }
        do {
            if source == nil {
                let made = try makeSource(clock)
                source = made
                try made.start()
            }
            guard mailbox.waitForRoom(timeoutNs: 100_000_000) else { return true }
            let overview = overviewEveryNs.map { clock.nowNs &- lastOverviewNs >= $0 / 4 * 3 } ?? false
            let image = try source!.nextImage(timeout: frameTimeout, roi: regionOfInterest, layout: nil, overview: overview)
            lastFrameNs = clock.nowNs
            if overview { lastOverviewNs = lastFrameNs }
            if isLost {
                isLost = false
                logger.notice("camera: frames again")
                post(.back)
            }
            mailbox.post(image)
        } catch let error as CaptureError {
            if case .replayFinished = error {
                isFinished = true
                post(.finished)
                return false
            }
            failed("\(error)", transient: error.isTransient)
        } catch {
            failed("\(error)", transient: false)
        }
        return true
    }

    /// A timeout or a source error: logged (once a second at most), counted, and a fault only once
    /// nothing has come for the fault wait. A source that cannot be retried (a configuration error)
    /// is made anew after the fault wait.
    private func failed(_ reason: String, transient: Bool) {
        failures += 1
        failuresSinceLog += 1
        let now = clock.nowNs
        if now &- lastFailureLogNs >= 1_000_000_000 {
            logger.warning("camera: \(reason)\(failuresSinceLog > 1 ? " (\(failuresSinceLog) failures since the last message)" : "")")
            failuresSinceLog = 0
            lastFailureLogNs = now
        }
        if !isLost, now &- lastFrameNs >= faultAfterNs {
            isLost = true
            post(.lost(reason))
        }
        if !transient {
            source?.stop()
            source = nil
            if !isLost {
                isLost = true
                post(.lost(reason))
            }
            clock.sleep(untilNs: now &+ max(faultAfterNs, 1_000_000))
        }
    }

    func stop() {
        source?.stop()
        source = nil
    }
}
