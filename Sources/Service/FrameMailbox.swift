import Capture
import Platform
import Synchronization

/// Where the capture thread leaves frames for the inspection: at most `depth` of them.
///
/// - `.live` (a camera): a frame arriving to a full mailbox pushes the oldest out, which is
///   counted as dropped. In free-running mode a frame is a sample of the line, so a dropped frame
///   is a missed sample, never a part: nothing is registered for it and no pulse can follow.
/// - `.backPressure` (a replay at full speed): the capture thread waits for room instead, so every
///   frame is inspected and nothing is dropped (the runner gives it one slot: a frame waits for at
///   most one inspection).
/// With the part-present trigger the line I/O thread notes each edge here as it reads it: the first
/// frame exposed after an edge not yet paired shows that part, so a full mailbox drops the oldest
/// frame that shows no part instead (only when every frame waiting shows one does the oldest go).
/// Posting wakes the inspection thread.
public final class FrameMailbox: Sendable {
    public enum Pacing: Sendable, Equatable {
        case live
        case backPressure
    }

    public let depth: Int
    public let pacing: Pacing
    private let frames = Mutex<[CapturedImage]>([])
    /// Part-present edges (capture timestamps) not yet paired with a frame or given up, oldest first.
    private let edges = Mutex<[UInt64]>([])
    static let maximumEdges = 64
    private let dropped = Atomic<UInt64>(0)
    private let captured = Atomic<UInt64>(0)
    /// The inspection thread waits on this one (frames, line inputs, camera news).
    public let news: Wakeup
    /// The capture thread waits on this one for room (back-pressure only).
    private let room = Wakeup()

    public init(depth: Int = 2, pacing: Pacing, news: Wakeup) {
        precondition(depth >= 1, "a mailbox holds at least one frame")
        self.depth = depth
        self.pacing = pacing
        self.news = news
    }

    /// Frames handed over so far (inspected or dropped).
    public var capturedCount: UInt64 { captured.load(ordering: .relaxed) }
    /// Frames pushed out unseen by newer ones.
    public var droppedCount: UInt64 { dropped.load(ordering: .relaxed) }

    /// True when the mailbox cannot take a frame without dropping one.
    public var isFull: Bool { frames.withLock { $0.count >= depth } }
    public var hasFrames: Bool { frames.withLock { !$0.isEmpty } }
    public var waitingCount: Int { frames.withLock { $0.count } }

    /// Leaves a frame; with `.live` pacing the oldest is dropped from a full mailbox.
    public func post(_ image: CapturedImage) {
        let edges = self.edges.withLock { $0 }
        let droppedOne = frames.withLock { frames -> Bool in
            frames.append(image)
            guard frames.count > depth else { return false }
            frames.remove(at: Self.victim(frames, edges: edges))
            return true
        }
        captured.add(1, ordering: .relaxed)
        if droppedOne { dropped.add(1, ordering: .relaxed) }
        news.signal()
    }

    /// With `.backPressure`: waits (on the real clock: this is a thread primitive) up to
    /// `timeoutNs` for room. True when there is room.
    public func waitForRoom(timeoutNs: UInt64) -> Bool {
        guard pacing == .backPressure else { return true }
        let deadline = SystemClock.shared.nowNs &+ timeoutNs
        while isFull {
            if SystemClock.shared.nowNs >= deadline { return false }
            room.wait(untilNs: deadline)
        }
        return true
    }

    /// The oldest frame waiting, if any.
    public func take() -> CapturedImage? {
        let frame = frames.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        if frame != nil, pacing == .backPressure { room.signal() }
        return frame
    }

    /// A part-present edge at `captureNs` (line I/O thread, as the edge is read).
    public func noteEdge(_ captureNs: UInt64) {
        edges.withLock { edges in
            edges.append(captureNs)
            if edges.count > Self.maximumEdges { edges.removeFirst(edges.count - Self.maximumEdges) }
        }
    }

    /// The edge at `captureNs` has its frame, or was given to the fail-safe policy.
    public func claimEdge(_ captureNs: UInt64) {
        edges.withLock { edges in
            if let index = edges.firstIndex(of: captureNs) { edges.remove(at: index) }
        }
    }

    /// Which frame a full mailbox drops: the oldest that is not the first frame after a pending
    /// edge; the oldest of all when every one is.
    static func victim(_ frames: [CapturedImage], edges: [UInt64]) -> Int {
        guard !edges.isEmpty else { return 0 }
        var shown = Set<Int>()
        for edge in edges {
            if let first = frames.firstIndex(where: { $0.timestampNanoseconds >= edge }) { shown.insert(first) }
        }
        return frames.indices.first { !shown.contains($0) } ?? 0
    }

    /// Wakes a capture thread waiting for room (at shutdown).
    public func releaseWaiters() { room.signal() }
}
