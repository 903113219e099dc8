#if canImport(Glibc)
import Glibc
#endif

/// Wakes one waiting thread when another has news for it (a frame in the mailbox, a button press),
/// or at a deadline: a pthread condition variable on CLOCK_MONOTONIC with a pending flag, so a
/// signal that comes before the wait is not lost.
///
/// `@unchecked Sendable`: the mutex and condition live in memory this object allocates and frees
/// itself, at a stable address, and are only touched through pthread calls made under the mutex.
public final class Wakeup: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var pending = false

    public init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Wakes the waiter (or the next wait, if nobody waits now).
    public func signal() {
        pthread_mutex_lock(mutex)
        pending = true
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Waits until `signal()` or until CLOCK_MONOTONIC reaches `deadlineNs`; true when signalled.
    @discardableResult
    public func wait(untilNs deadlineNs: UInt64) -> Bool {
        var deadline = timespec(tv_sec: Int(deadlineNs / 1_000_000_000), tv_nsec: Int(deadlineNs % 1_000_000_000))
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !pending {
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT { break }
        }
        defer { pending = false }
        return pending
    }
}
