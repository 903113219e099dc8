import CMemory
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// A POSIX thread running a Swift closure (no Foundation Thread, no Dispatch here). Join it once.
public final class PosixThread {
    private let handle: pthread_t
    private var joined = false

    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Starts `body` on a new thread; the errno of pthread_create when the system refuses one.
    public init(_ body: @escaping @Sendable () -> Void) throws(Errno) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { raw in
            let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
            body.run()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw Errno(rawValue: status)
        }
        handle = thread
    }

    /// Waits for the thread to finish (once; later calls return at once).
    public func join() {
        guard !joined else { return }
        joined = true
        pthread_join(handle, nil)
    }
}

extension PosixThread {
    /// Lowers the calling thread's scheduling priority to `nice` (Linux: per thread), so work that
    /// can wait (the archive's writes, the HMI) loses CPU contention to the inspection. Raising
    /// nice needs no capability; a failure is ignored (the thread runs at normal priority).
    public static func lowerCurrentThreadPriority(toNice nice: Int32 = 10) {
        _ = ls_thread_set_nice(nice)
    }

    /// Puts the calling thread in SCHED_IDLE: it runs only when a CPU has nothing else to run, and
    /// a waking inspection thread takes its CPU at once (nice 19 still gets a share and a time
    /// slice). For work that serves people, not parts (the HMI's HTTP thread). No capability is
    /// needed; on failure the thread is lowered to nice 19 instead.
    public static func runCurrentThreadOnlyWhenIdle() {
        if ls_thread_set_idle() != 0 { _ = ls_thread_set_nice(19) }
    }
}
