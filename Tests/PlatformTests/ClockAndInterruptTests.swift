import Glibc
import Platform
import PlatformFakes
import SystemPackage
import Testing

@Suite struct ClockAndInterruptTests {
    @Test func virtualClockJumpsToDeadlinesAndRecordsSleeps() {
        let clock = VirtualClock(startNs: 1_000, wakeLatencyNs: 5)
        clock.sleep(for: .nanoseconds(100))
        #expect(clock.nowNs == 1_105)
        clock.sleep(untilNs: 500)  // in the past: no sleep
        clock.advance(byNs: 10)
        clock.advance(toNs: 2_000)
        clock.advance(toNs: 1_000)  // never backwards
        #expect(clock.nowNs == 2_000)
        #expect(clock.sleeps == [.nanoseconds(100)])
    }

    @Test func systemClockIsMonotonicAndSleepsUntilItsDeadline() {
        let clock = SystemClock.shared
        let start = clock.nowNs
        clock.sleep(untilNs: start + 2_000_000)
        #expect(clock.nowNs >= start + 2_000_000)
    }

    @Test func durationNanosecondsSaturateAndFloorAtZero() {
        #expect(Duration.milliseconds(3).nanoseconds == 3_000_000)
        #expect(Duration.seconds(-1).nanoseconds == 0)
        #expect(Duration.seconds(Int64.max).nanoseconds == .max)
    }

    @Test func interruptedCallsAreRetriedAndOtherErrnosPassThrough() throws {
        var calls = 0
        let value = try retryingOnInterrupt { () throws(Errno) -> Int in
            calls += 1
            if calls < 3 { throw .interrupted }
            return 42
        }
        #expect(value == 42 && calls == 3)
        #expect(throws: Errno.badFileDescriptor) { try valueOrErrno { close(-1) } }
    }

    @Test func aWakeupSignalledBeforeTheWaitIsNotLost() {
        let wakeup = Wakeup()
        wakeup.signal()
        #expect(wakeup.wait(untilNs: SystemClock.shared.nowNs + 1_000_000_000))
        let start = SystemClock.shared.nowNs
        #expect(!wakeup.wait(untilNs: start + 5_000_000), "a second wait times out")
        #expect(SystemClock.shared.nowNs >= start + 5_000_000)
    }

    @Test func aWakeupWakesAWaiterOnAnotherThread() throws {
        let wakeup = Wakeup()
        let thread = try PosixThread {
            SystemClock.shared.sleep(for: .milliseconds(5))
            wakeup.signal()
        }
        #expect(wakeup.wait(untilNs: SystemClock.shared.nowNs + 5_000_000_000))
        thread.join()
    }
}
