import Glibc
import Testing
@testable import Platform

@Suite struct FileIOTests {
    func temporaryDirectory() -> String {
        var template = Array("/tmp/lineside-test-XXXXXX".utf8CString)
        let path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        return path
    }

    @Test func atomicWriteReplacesAndKeepsPrevious() throws {
        let dir = temporaryDirectory()
        let path = dir + "/model.bin"
        try FileIO.writeAtomically([1, 2, 3], to: path)
        try FileIO.writeAtomically([4, 5], to: path, keepPrevious: path + ".previous")
        #expect(try FileIO.read(path) == [4, 5])
        #expect(try FileIO.read(path + ".previous") == [1, 2, 3])
        // No temporary file is left behind.
        #expect(try Directory.entries(dir) == ["model.bin", "model.bin.previous"])
    }

    @Test func readingAMissingFileNamesIt() {
        do {
            _ = try FileIO.read("/nonexistent/lineside.bin")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/lineside.bin: open failed"))
        }
    }

    @Test func writingIntoAMissingDirectoryFailsWithoutTouchingAnything() {
        #expect(throws: FileError.self) { try FileIO.writeAtomically([1], to: "/nonexistent-dir/x.bin") }
    }

    @Test func readingADirectoryIsRefused() {
        #expect(throws: FileError.self) { try FileIO.read("/tmp") }
    }
}
