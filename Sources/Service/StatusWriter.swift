import Logging
import Platform
import Synchronization

/// Writes the newest status snapshot to the status file from its own thread, so the inspection
/// never waits for the disk: the inspection thread only swaps a value under a lock.
final class StatusWriter: Sendable {
    let path: String
    let logger: Logger
    private let latest = Mutex<(report: StatusReport, written: Bool)?>(nil)
    private let wakeup = Wakeup()
    private let stopping = Atomic<Bool>(false)

    init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    /// Hands over a snapshot (never blocks on the file).
    func publish(_ report: StatusReport) {
        latest.withLock { $0 = (report, false) }
        wakeup.signal()
    }

    /// The thread's loop: writes each new snapshot, until `stop`; then writes the last one.
    func run() {
        var warned = false
        while true {
            let stop = stopping.load(ordering: .acquiring)
            if let report = latest.withLock({ slot -> StatusReport? in
                guard let pending = slot, !pending.written else { return nil }
                slot = (pending.report, true)
                return pending.report
            }) {
                do {
                    try report.write(to: path)
                    warned = false
                } catch {
                    if !warned { logger.warning("cannot write status file: \(error)") }
                    warned = true
                }
            }
            if stop { return }
            wakeup.wait(untilNs: SystemClock.shared.nowNs &+ 1_000_000_000)
        }
    }

    /// Ends the loop after it wrote `final`.
    func stop(final: StatusReport) {
        latest.withLock { $0 = (final, false) }
        stopping.store(true, ordering: .releasing)
        wakeup.signal()
    }
}
