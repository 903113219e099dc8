import Capture
import Imaging
import Platform
import Testing
@testable import Service

@Suite struct FrameMailboxTests {
    static func frame(_ ns: UInt64) -> CapturedImage {
        CapturedImage(image: Image(width: 2, height: 2, layout: .grey), sequence: UInt32(ns), timestampNanoseconds: ns)
    }
    static func timestamps(_ mailbox: FrameMailbox) -> [UInt64] {
        var out: [UInt64] = []
        while let frame = mailbox.take() { out.append(frame.timestampNanoseconds) }
        return out
    }

    @Test func aFullLiveMailboxDropsTheOldestFrame() {
        let mailbox = FrameMailbox(depth: 2, pacing: .live, news: Wakeup())
        for ns in [10, 20, 30] as [UInt64] { mailbox.post(Self.frame(ns)) }
        #expect(mailbox.droppedCount == 1)
        #expect(Self.timestamps(mailbox) == [20, 30])
    }

    @Test func theFirstFrameAfterAPendingEdgeIsKeptWhenTheMailboxMustDrop() {
        let mailbox = FrameMailbox(depth: 2, pacing: .live, news: Wakeup())
        mailbox.noteEdge(15)
        // 20 is the first frame exposed after the edge at 15: it shows the part. 10 shows none.
        for ns in [10, 20, 30, 40] as [UInt64] { mailbox.post(Self.frame(ns)) }
        #expect(mailbox.droppedCount == 2)
        #expect(Self.timestamps(mailbox) == [20, 40])
    }

    @Test func aClaimedEdgeNoLongerProtectsItsFrame() {
        let mailbox = FrameMailbox(depth: 2, pacing: .live, news: Wakeup())
        mailbox.noteEdge(15)
        mailbox.claimEdge(15)
        for ns in [10, 20, 30] as [UInt64] { mailbox.post(Self.frame(ns)) }
        #expect(Self.timestamps(mailbox) == [20, 30])
    }

    @Test func whenEveryWaitingFrameShowsAPartTheOldestGoes() {
        let mailbox = FrameMailbox(depth: 2, pacing: .live, news: Wakeup())
        for edge in [5, 15, 25] as [UInt64] { mailbox.noteEdge(edge) }
        for ns in [10, 20, 30] as [UInt64] { mailbox.post(Self.frame(ns)) }
        #expect(mailbox.droppedCount == 1)
        #expect(Self.timestamps(mailbox) == [20, 30])
    }
}
