import Glibc
import LineIOGPIOD
import Testing

@Suite struct SignalWatcherTests {
    @Test func aBlockedSigtermIsCollectedOnceWithoutKillingTheProcess() {
        // Block SIGTERM in this thread only (raise() directs it at this thread), then restore.
        var previous = sigset_t()
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_BLOCK, &none, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        let watcher = SignalWatcher(signals: [SIGTERM])
        #expect(watcher.takePending() == nil)
        raise(SIGTERM)
        #expect(watcher.takePending() == SIGTERM)
        #expect(watcher.takePending() == nil)
        #expect(SignalWatcher.name(of: SIGTERM) == "SIGTERM")
    }
}
