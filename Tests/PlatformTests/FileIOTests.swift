import Glibc
import Testing
@testable import Platform

@Suite struct FileIOTests {
    func temporaryDirectory() throws -> String { try Directory.makeTemporary(prefix: "lineside-test") }

    @Test func atomicWriteReplacesAndKeepsPrevious() throws {
        let dir = try temporaryDirectory()
        defer { Directory.removeTree(dir) }
        let path = dir + "/model.bin"
        try FileIO.writeAtomically([1, 2, 3], to: path)
        try FileIO.writeAtomically([4, 5], to: path, keepPrevious: path + ".previous")
        #expect(try FileIO.read(path) == [4, 5])
        #expect(try FileIO.read(path + ".previous") == [1, 2, 3])
        // No temporary file is left behind.
        #expect(try Directory.entries(dir) == ["model.bin", "model.bin.previous"])
    }

    @Test(arguments: FileIO.SaveStep.allCases)
    func aFailureAtAnyStepOfTheSaveLeavesTheCurrentFileWhole(step: FileIO.SaveStep) throws {
        let dir = try temporaryDirectory()
        defer { Directory.removeTree(dir) }
        let path = dir + "/model.bin", previous = dir + "/model.previous.bin"
        try FileIO.writeAtomically([1], to: path)
        try FileIO.writeAtomically([2], to: path, keepPrevious: previous)
        #expect(throws: FileError.self) { try FileIO.writeAtomically([3, 3], to: path, keepPrevious: previous, failing: step) }
        let current = try FileIO.read(path)
        // Before the rename the old file stays; a failure after it (directory fsync) leaves the new one.
        #expect(current == (step == .syncDirectory ? [3, 3] : [2]))
        // The previous copy is the old previous, or (once the new file was durable) the old current.
        let kept = try FileIO.read(previous)
        #expect(kept == [1] || kept == [2])
        #expect(try Directory.entries(dir).allSatisfy { !$0.contains(".tmp-") }, "no temporary file left")
    }

    @Test func aDirectoryOrFIFOAtEitherPathIsRefusedAndNothingIsRemoved() throws {
        let dir = try temporaryDirectory()
        defer { Directory.removeTree(dir) }
        let path = dir + "/model.bin"
        try FileIO.writeAtomically([7], to: path)
        try Directory.create(dir + "/previous-is-a-dir")
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        #expect(throws: FileError.self) { try FileIO.writeAtomically([8], to: path, keepPrevious: dir + "/previous-is-a-dir") }
        #expect(throws: FileError.self) { try FileIO.writeAtomically([8], to: path, keepPrevious: dir + "/fifo") }
        #expect(throws: FileError.self) { try FileIO.writeAtomically([8], to: dir + "/fifo") }
        #expect(throws: FileError.self) { try FileIO.writeAtomically([8], to: dir + "/previous-is-a-dir") }
        #expect(try FileIO.read(path) == [7])
        #expect(FileKind.of(dir + "/fifo") == .fifo && FileKind.of(dir + "/previous-is-a-dir") == .directory)
    }

    @Test func staleTemporariesOfAKilledWriterAreCleared() throws {
        let dir = try temporaryDirectory()
        defer { Directory.removeTree(dir) }
        try FileIO.writeAtomically([9], to: dir + "/.model.bin.tmp-99999")
        try FileIO.writeAtomically([1], to: dir + "/model.bin")
        #expect(try Directory.entries(dir) == ["model.bin"])
    }

    @Test func readingAFIFODoesNotBlockAndSaysWhatItIs() throws {
        let dir = try temporaryDirectory()
        defer { Directory.removeTree(dir) }
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        do {
            _ = try FileIO.read(dir + "/fifo")
            Issue.record("a FIFO was read")
        } catch {
            #expect(error.description.contains("a FIFO, not a regular file"))
        }
        #expect(throws: FileError.self) { try FileIO.read("/dev/null") }
    }

    @Test func readingAMissingFileNamesIt() {
        do {
            _ = try FileIO.read("/nonexistent/lineside.bin")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/lineside.bin: open failed"))
        }
    }

    @Test func readsAreBounded() throws {
        let dir = try temporaryDirectory()
        defer { Directory.removeTree(dir) }
        try FileIO.writeAtomically([UInt8](repeating: 1, count: 100), to: dir + "/big")
        #expect(throws: FileError.self) { try FileIO.read(dir + "/big", limit: 99) }
        #expect(try FileIO.read(dir + "/big", limit: 100).count == 100)
    }

    @Test func writingIntoAMissingDirectoryFailsWithoutTouchingAnything() {
        #expect(throws: FileError.self) { try FileIO.writeAtomically([1], to: "/nonexistent-dir/x.bin") }
    }

    @Test func readingADirectoryIsRefused() {
        #expect(throws: FileError.self) { try FileIO.read("/tmp") }
    }

    @Test func anUnwritableTemporaryFolderIsAnErrorNotACrash() {
        setenv("TMPDIR", "/nonexistent-tmp", 1)
        defer { unsetenv("TMPDIR") }
        do {
            _ = try Directory.makeTemporary(prefix: "x")
            Issue.record("made a folder under a missing TMPDIR")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent-tmp/x-XXXXXX: create temporary folder failed"))
        }
    }
}
