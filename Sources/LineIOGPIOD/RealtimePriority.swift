import Glibc
import SystemPackage

/// Puts the calling thread (the line I/O loop) in SCHED_FIFO so inference and capture threads cannot
/// delay a reject pulse (`pthread_setschedparam`). Needs CAP_SYS_NICE or root (systemd:
/// `AmbientCapabilities=CAP_SYS_NICE`, or `LimitRTPRIO=50` for an unprivileged user).
public enum RealtimePriority {
    /// nil on success, else the errno (EPERM without the capability): the loop still runs, later.
    public static func makeCurrentThreadFIFO(priority: Int32 = 50) -> Errno? {
        var parameters = sched_param()
        parameters.sched_priority = priority
        let rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &parameters)
        return rc == 0 ? nil : Errno(rawValue: rc)
    }
}
