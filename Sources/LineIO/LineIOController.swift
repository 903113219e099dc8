import Platform

/// What the line I/O loop reports to the rest of the firmware.
public enum LineIOInput: Sendable, Hashable {
    /// Short press of the calibration button: cancel a running fit.
    case shortPress(atNs: UInt64)
    /// Long press of the calibration button: start a fit.
    case longPress(atNs: UInt64)
    /// The part-present sensor fired: capture now; `captureNs` is the edge's kernel timestamp.
    case partPresent(captureNs: UInt64)
    /// A part's fate was sealed at its pulse start.
    case decided(PartDecision)
}

/// Where the controller stands.
public enum LineIOState: Sendable, Equatable {
    case running
    /// A line operation failed: every output was driven safe and the parts in flight were abandoned.
    /// `safeStateFailures` lists outputs that could not be driven safe either.
    case faulted(cause: LineIOError, abandoned: [PartID], safeStateFailures: [LineIOError])
    /// Shut down on request (signal, exit): outputs safe, lines released.
    case stopped
}

/// The line I/O as one object driven by time: requests every line at its safe value, then, each
/// `step`, feeds input edges to the debouncer and trigger, fires and ends reject pulses, and runs the
/// lights. Any failing line operation puts every output in its safe state (`LineIOState.faulted`).
///
/// Single-threaded: the loop thread owns it. Other threads talk to it through a `LineIOCommandQueue`.
///
/// The service's loop thread, in outline:
///
///     let signals = SignalWatcher()                        // first thing in main, before any thread
///     ...on the loop thread:
///     _ = RealtimePriority.makeCurrentThreadFIFO()
///     let clock = SystemClock()
///     let io = try LineIOController(driver: GPIODLineDriver(), configuration: config, nowNs: clock.nowNs)
///     while signals.takePending() == nil {              // a fault keeps blinking until stopped
///         for input in io.runOnce(clock: clock, commands: queue) { handle(input) }  // press, trigger, decision
///     }
///     io.shutdown()
///
/// and elsewhere: `queue.push(.register(id, captureNs: frame.timestampNs, rejectLine: 0))` at capture,
/// `queue.push(.resolve(id, .reject))` when the inspection answers.
public final class LineIOController {
    public let configuration: LineIOConfiguration
    public private(set) var state: LineIOState = .running
    let driver: any LineDriver
    var scheduler: RejectScheduler
    var lights: Lights
    var debouncer: ButtonDebouncer?
    var trigger: PartTrigger?
    let rejectOutputs: [OutputLineID]
    let lightOutputs: [LightKind: OutputLineID]
    let safeOutputs: [(line: OutputLineID, safeValue: Bool)]
    let buttonInput: InputLineID?
    let triggerInput: InputLineID?

    /// Requests every configured line, outputs at their safe values. If any request fails, the lines
    /// already requested are driven safe and released before the error is thrown.
    public init(driver: any LineDriver, configuration: LineIOConfiguration, nowNs: UInt64,
                initialStatus: StatusMode = .noModel) throws(LineIOError) {
        try configuration.validate()
        self.driver = driver
        self.configuration = configuration
        var requested: [(line: OutputLineID, safeValue: Bool)] = []
        do {
            var rejects: [OutputLineID] = []
            for reject in configuration.rejectLines {
                let id = try driver.requestOutput(reject.output, initialValue: reject.output.safeValue)
                requested.append((id, reject.output.safeValue))
                rejects.append(id)
            }
            var lightIDs: [LightKind: OutputLineID] = [:]
            for (kind, config) in [(LightKind.pass, configuration.passLight), (.fail, configuration.failLight),
                                   (.status, configuration.statusLight)] {
                guard let config else { continue }
                let id = try driver.requestOutput(config, initialValue: config.safeValue)
                requested.append((id, config.safeValue))
                lightIDs[kind] = id
            }
            var pressedNow = false
            if let button = configuration.button {
                let id = try driver.requestInput(button)
                pressedNow = try driver.read(id)
                buttonInput = id
            } else {
                buttonInput = nil
            }
            triggerInput = try configuration.partTrigger.map { (config) throws(LineIOError) in try driver.requestInput(config) }
            rejectOutputs = rejects
            lightOutputs = lightIDs
            debouncer = configuration.button.map { _ in
                ButtonDebouncer(debounceNs: configuration.debounceNs, longPressNs: configuration.longPressNs,
                                pressedNow: pressedNow, nowNs: nowNs)
            }
        } catch {
            _ = SafeState.apply(requested, on: driver)
            driver.releaseAll()
            throw error
        }
        safeOutputs = requested
        trigger = configuration.partTrigger.map { _ in PartTrigger(holdoffNs: configuration.triggerHoldoffNs) }
        scheduler = RejectScheduler(timings: configuration.rejectLines.map(\.timing), policy: configuration.failSafe,
                                    maximumPartsInFlight: configuration.maximumPartsInFlight)
        lights = Lights(mode: initialStatus, nowNs: nowNs, resultHoldNs: configuration.resultHoldNs)
        // Lines start at their safe values, which is what the lights count as shown.
        for (kind, config) in [(LightKind.pass, configuration.passLight), (.fail, configuration.failLight),
                               (.status, configuration.statusLight)] {
            if let config { lights.shown[kind] = config.safeValue }
        }
    }

    deinit {
        if state != .stopped { _ = SafeState.apply(safeOutputs, on: driver) }
        driver.releaseAll()
    }

    /// Parts registered and not yet decided.
    public var partsInFlight: Int { scheduler.partsInFlight }
    public var statusMode: StatusMode { lights.mode }
    /// Whether reject line `index` is firing.
    public func isRejecting(_ index: Int) -> Bool { scheduler.isActive(index) }

    /// Registers a captured part (see `RejectScheduler.register`). Refused in the fault state.
    public func register(_ part: PartID, captureNs: UInt64, rejectLine: Int = 0, nowNs: UInt64? = nil) throws(LineIOError) {
        if case .faulted(let cause, _, _) = state { throw .faulted(cause: cause.description) }
        if state == .stopped { throw .faulted(cause: "shutdown") }
        try scheduler.register(part, captureNs: captureNs, rejectLine: rejectLine, nowNs: nowNs)
    }

    /// Records an inspection verdict (see `RejectScheduler.resolve`).
    public func resolve(_ part: PartID, verdict: Verdict) -> ResolveOutcome {
        scheduler.resolve(part, verdict: verdict)
    }

    /// Switches the status light's pattern (the fault pattern is entered by faults only).
    public func setStatus(_ mode: StatusMode, nowNs: UInt64) {
        guard state == .running else { return }
        lights.setMode(mode, nowNs: nowNs)
    }

    /// When the next `step` has work to do by itself (nil: nothing until an input edge or a command).
    public var nextDeadlineNs: UInt64? {
        var best = scheduler.nextDeadlineNs
        for deadline in [lights.nextDeadlineNs, debouncer?.nextDeadlineNs] {
            if let deadline { best = min(best ?? deadline, deadline) }
        }
        return best
    }

    /// Handles the input edges that arrived, then everything due at `nowNs`. `switchTime` reads the
    /// clock after a reject line was switched on, so the pulse is measured from then (the loop's
    /// clock; without it, from `nowNs`).
    public func step(nowNs: UInt64, events: [LineEvent] = [], switchTime: (() -> UInt64)? = nil) -> [LineIOInput] {
        switch state {
        case .stopped: return []
        case .faulted:
            // Only the fault pattern keeps running; failures are already reported.
            for change in lights.advance(to: nowNs) {
                if let id = lightOutputs[change.light] { try? driver.set(id, active: change.on) }
            }
            return []
        case .running: break
        }
        var inputs: [LineIOInput] = []
        for event in events {
            if event.line == buttonInput, var debouncer {
                inputs += debouncer.feed(pressed: event.becameActive, atNs: event.timestampNs).map(Self.input)
                self.debouncer = debouncer
            } else if event.line == triggerInput, let captureNs = trigger?.accept(becameActive: event.becameActive,
                                                                                   atNs: event.timestampNs) {
                inputs.append(.partPresent(captureNs: captureNs))
            }
        }
        if var debouncer {
            inputs += debouncer.advance(to: nowNs).map(Self.input)
            self.debouncer = debouncer
        }
        do {
            let (changes, decisions) = scheduler.advance(to: nowNs)
            for change in changes {
                try driver.set(rejectOutputs[change.rejectLine], active: change.active)
                if change.active, let switchTime { scheduler.switchedOn(change.rejectLine, atNs: switchTime()) }
            }
            for decision in decisions {
                lights.show(rejected: decision.rejected, nowNs: nowNs)
                inputs.append(.decided(decision))
            }
            for change in lights.advance(to: nowNs) {
                if let id = lightOutputs[change.light] { try driver.set(id, active: change.on) }
            }
        } catch {
            fault(error, nowNs: nowNs)
        }
        return inputs
    }

    /// One turn of the real loop: drains `commands`, waits for input edges until the next deadline
    /// (at most `maximumIdleNs`), then steps. With a `VirtualClock` and a `FakeLineDriver` this is
    /// the same loop, deterministic.
    public func runOnce(clock: any MonotonicClock, commands: LineIOCommandQueue? = nil) -> [LineIOInput] {
        if let commands { apply(commands.drain(), nowNs: clock.nowNs) }
        let now = clock.nowNs
        let idleEnd = now + configuration.maximumIdleNs
        let wakeAt = min(nextDeadlineNs ?? idleEnd, idleEnd)
        var events: [LineEvent] = []
        if state == .running {
            do {
                events = try driver.waitForEvents(timeoutNs: wakeAt > now ? wakeAt - now : 0)
            } catch {
                fault(error, nowNs: clock.nowNs)
            }
        } else {
            clock.sleep(untilNs: wakeAt)
        }
        return step(nowNs: clock.nowNs, events: events, switchTime: { clock.nowNs })
    }

    /// Applies commands from other threads in order. Registration failures fault the line I/O
    /// (a part that cannot be tracked must not pass silently).
    func apply(_ commands: [LineIOCommand], nowNs: UInt64) {
        for command in commands {
            switch command {
            case .register(let part, let captureNs, let rejectLine):
                do { try register(part, captureNs: captureNs, rejectLine: rejectLine, nowNs: nowNs) } catch {
                    if state == .running { fault(error, nowNs: nowNs) }
                }
            case .resolve(let part, let verdict):
                _ = resolve(part, verdict: verdict)
            case .setStatus(let mode):
                setStatus(mode, nowNs: nowNs)
            }
        }
    }

    /// Enters the fault state: abandons the parts in flight, drives every output safe, starts the
    /// fault pattern. Call it for faults found elsewhere too (camera gone, watchdog).
    public func fault(_ cause: LineIOError, nowNs: UInt64) {
        guard state == .running else { return }
        let abandoned = scheduler.abandonAll()
        let failures = SafeState.apply(safeOutputs, on: driver)
        lights.setMode(.fault, nowNs: nowNs)
        lights.shown = [:]
        for (kind, id) in lightOutputs { lights.shown[kind] = safeOutputs.first { $0.line == id }?.safeValue }
        state = .faulted(cause: cause, abandoned: abandoned, safeStateFailures: failures)
    }

    /// Shutdown (SIGTERM/SIGINT, exit): drives every output safe and releases the lines. Returns the
    /// outputs that could not be driven safe.
    @discardableResult
    public func shutdown() -> [LineIOError] {
        guard state != .stopped else { return [] }
        _ = scheduler.abandonAll()
        let failures = SafeState.apply(safeOutputs, on: driver)
        driver.releaseAll()
        state = .stopped
        return failures
    }

    static func input(_ gesture: ButtonGesture) -> LineIOInput {
        switch gesture {
        case .shortPress(let at): return .shortPress(atNs: at)
        case .longPress(let at): return .longPress(atNs: at)
        }
    }
}
