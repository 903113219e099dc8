import Platform
import Synchronization
import SystemPackage

/// Runs the actions that touch the model file (roll back, save a threshold: a 32 MB read and an
/// fsynced write) on their own thread, one at a time, so the HTTP thread goes on answering.
final class ActionWorker: Sendable {
    private let job = Mutex<(@Sendable () -> Void)?>(nil)
    private let busy = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let wakeup = Wakeup()
    /// Set in start and cleared by stop, both on the owner's thread.
    nonisolated(unsafe) private var thread: PosixThread?

    func start() throws(Errno) {
        thread = try PosixThread { [self] in
            PosixThread.lowerCurrentThreadPriority()
            while !stopping.load(ordering: .acquiring) {
                if let work = job.withLock({ slot in defer { slot = nil }; return slot }) {
                    work()
                    busy.store(false, ordering: .releasing)
                } else {
                    _ = wakeup.wait(untilNs: SystemClock.shared.nowNs &+ 200_000_000)
                }
            }
        }
    }

    /// False while another action runs (or the worker is not started).
    func submit(_ work: @escaping @Sendable () -> Void) -> Bool {
        guard thread != nil, busy.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return false
        }
        job.withLock { $0 = work }
        wakeup.signal()
        return true
    }

    func stop() {
        stopping.store(true, ordering: .releasing)
        wakeup.signal()
        thread?.join()
        thread = nil
    }
}
