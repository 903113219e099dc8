import LineIO
import Platform
import Synchronization

/// What the service's threads share: small, locked, Sendable. The line I/O and capture threads
/// leave news here and wake the inspection thread; nothing here is held while anyone waits.
final class ServiceInbox: Sendable {
    /// Wakes the inspection thread: a frame, a line input, camera news, a line fault.
    let news = Wakeup()
    let inputs = Mutex<[LineIOInput]>([])
    let camera = Mutex<[CameraNews]>([])
    let commands = LineIOCommandQueue()
    let lineFailure = Mutex<String?>(nil)
    let lineReady = Atomic<Bool>(false)
    let stop = Atomic<Bool>(false)

    func post(_ inputs: [LineIOInput]) {
        guard !inputs.isEmpty else { return }
        self.inputs.withLock { $0 += inputs }
        news.signal()
    }

    func post(_ news: CameraNews) {
        camera.withLock { $0.append(news) }
        self.news.signal()
    }

    func failLineIO(_ reason: String) {
        lineFailure.withLock { $0 = reason }
        news.signal()
    }

    func takeInputs() -> [LineIOInput] { inputs.withLock { pending in defer { pending = [] }; return pending } }
    func takeCameraNews() -> [CameraNews] { camera.withLock { pending in defer { pending = [] }; return pending } }
    var lineIOFailure: String? { lineFailure.withLock { $0 } }
    var isStopping: Bool { stop.load(ordering: .acquiring) }
}

/// The system clock for a service thread whose sleeps (reconnect backoff) end early when the
/// service stops, so SIGTERM is answered within the unit's stop timeout.
final class StoppableClock: MonotonicClock, Sendable {
    private let stopped = Atomic<Bool>(false)
    private let wakeup = Wakeup()

    var nowNs: UInt64 { SystemClock.shared.nowNs }

    func sleep(untilNs deadlineNs: UInt64) {
        while !stopped.load(ordering: .acquiring), nowNs < deadlineNs { wakeup.wait(untilNs: deadlineNs) }
    }

    func stop() {
        stopped.store(true, ordering: .releasing)
        wakeup.signal()
    }
}
