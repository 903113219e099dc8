import LineIO
import LineIOFakes
import Platform
import PlatformFakes
import Testing

@Suite struct ButtonDebouncerTests {
    let ms = Bench.ms
    let us = Nanoseconds.microseconds

    /// Feeds edges in time order, then lets time run to `endNs` in 1 ms steps.
    func gestures(_ edges: [(pressed: Bool, atNs: UInt64)], until endNs: UInt64,
                  debouncer: inout ButtonDebouncer) -> [ButtonGesture] {
        var gestures: [ButtonGesture] = []
        var edgeIndex = 0
        var now: UInt64 = 0
        while now <= endNs {
            while edgeIndex < edges.count, edges[edgeIndex].atNs <= now {
                gestures += debouncer.feed(pressed: edges[edgeIndex].pressed, atNs: edges[edgeIndex].atNs)
                edgeIndex += 1
            }
            gestures += debouncer.advance(to: now)
            now += ms(1)
        }
        return gestures
    }

    /// A contact that bounces for `bounceNs` around `atNs` before settling on `pressed`.
    func bouncing(to pressed: Bool, atNs: UInt64) -> [(pressed: Bool, atNs: UInt64)] {
        [(pressed, atNs), (!pressed, atNs + us(300)), (pressed, atNs + us(900)), (!pressed, atNs + us(1500)),
         (pressed, atNs + ms(4))]
    }

    @Test func aBouncingPressAndReleaseCountAsOneShortPress() {
        var debouncer = ButtonDebouncer(debounceNs: ms(30), longPressNs: ms(2000))
        let edges = bouncing(to: true, atNs: ms(100)) + bouncing(to: false, atNs: ms(600))
        let result = gestures(edges, until: ms(3000), debouncer: &debouncer)
        #expect(result == [.shortPress(atNs: ms(604))])
    }

    @Test func aSpikeShorterThanTheDebounceWindowIsIgnored() {
        var debouncer = ButtonDebouncer(debounceNs: ms(30), longPressNs: ms(2000))
        let result = gestures([(true, ms(100)), (false, ms(110))], until: ms(3000), debouncer: &debouncer)
        #expect(result.isEmpty)
        #expect(!debouncer.pressed)
    }

    @Test func holdingPastTheThresholdReportsALongPressWhileStillHeld() {
        var debouncer = ButtonDebouncer(debounceNs: ms(30), longPressNs: ms(2000))
        let edges = bouncing(to: true, atNs: ms(100))
        let held = gestures(edges, until: ms(2200), debouncer: &debouncer)
        #expect(held == [.longPress(atNs: ms(104) + ms(2000))])
        #expect(debouncer.pressed)
        // The release after a long press reports nothing more.
        var releaseGestures: [ButtonGesture] = []
        for edge in bouncing(to: false, atNs: ms(3000)) {
            releaseGestures += debouncer.feed(pressed: edge.pressed, atNs: edge.atNs)
        }
        releaseGestures += debouncer.advance(to: ms(3100))
        #expect(releaseGestures.isEmpty)
        #expect(!debouncer.pressed)
    }

    @Test func releasingJustBeforeTheThresholdIsAShortPress() {
        var debouncer = ButtonDebouncer(debounceNs: ms(30), longPressNs: ms(2000))
        let result = gestures([(true, ms(100)), (false, ms(2090))], until: ms(3000), debouncer: &debouncer)
        #expect(result == [.shortPress(atNs: ms(2090))])
    }

    @Test func aPressAndReleaseFedTogetherAreStillSeen() {
        // The loop may read a whole short press from the kernel queue in one turn.
        var debouncer = ButtonDebouncer(debounceNs: ms(30), longPressNs: ms(2000))
        var result = debouncer.feed(pressed: true, atNs: ms(100))
        result += debouncer.feed(pressed: false, atNs: ms(400))
        result += debouncer.advance(to: ms(500))
        #expect(result == [.shortPress(atNs: ms(400))])
    }

    @Test func aButtonHeldAtStartReportsNothingUntilPressedAgain() {
        var debouncer = ButtonDebouncer(debounceNs: ms(30), longPressNs: ms(2000), pressedNow: true, nowNs: 0)
        var result = gestures([(false, ms(3000))], until: ms(3100), debouncer: &debouncer)
        #expect(result.isEmpty)
        result = gestures([(true, ms(3200)), (false, ms(3500))], until: ms(3600), debouncer: &debouncer)
        #expect(result == [.shortPress(atNs: ms(3500))])
    }

    @Test func theLoopReportsALongPressFromKernelTimestampsOfABouncingButton() throws {
        let clock = VirtualClock(startNs: 0, wakeLatencyNs: 100_000)
        let driver = FakeLineDriver(clock: clock)
        let controller = try LineIOController(driver: driver, configuration: Bench.configuration(), nowNs: clock.nowNs)
        for edge in bouncing(to: true, atNs: ms(50)) + bouncing(to: false, atNs: ms(2500)) {
            driver.injectEdge(on: Bench.button, becameActive: edge.pressed, atNs: edge.atNs)
        }
        for edge in bouncing(to: true, atNs: ms(3000)) + bouncing(to: false, atNs: ms(3400)) {
            driver.injectEdge(on: Bench.button, becameActive: edge.pressed, atNs: edge.atNs)
        }
        let inputs = Bench.run(controller, clock, untilNs: ms(4000))
        let gestures = inputs.filter { if case .decided = $0 { false } else { true } }
        #expect(gestures == [.longPress(atNs: ms(54) + ms(2000)), .shortPress(atNs: ms(3404))])
    }
}
