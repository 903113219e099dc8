import Platform
import Testing
@testable import Configuration

@Suite struct ConfigLoadingTests {
    /// A fresh file under /tmp holding `text`.
    func temporaryFile(_ text: String, name: String) throws -> String {
        let path = "/tmp/lineside-config-test-\(name)-\(UInt64.random(in: 0...UInt64.max)).conf"
        try FileIO.writeAtomically(Array(text.utf8), to: path)
        return path
    }

    @Test func loadsAFileFromDisk() throws {
        let path = try temporaryFile(validConfiguration, name: "valid")
        let configuration = try LinesideConfiguration.load(path: path)
        #expect(configuration.lines.rejectLines.count == 2)
        #expect(configuration.service.model.threads == 4)
    }

    @Test func errorsFromDiskNameTheFile() throws {
        let path = try temporaryFile("[camera]\ndevice = 5", name: "wrongtype")
        #expect(throws: ConfigError(path: path, line: 2, kind: .wrongType(key: "device", section: "[camera]",
                                                                          expected: "a string", got: "an integer"))) {
            try LinesideConfiguration.load(path: path)
        }
    }

    @Test func missingFileIsUnreadableWithTheErrnoText() {
        let path = "/tmp/lineside-config-test-does-not-exist.conf"
        #expect(throws: ConfigError.self) { try LinesideConfiguration.load(path: path) }
        do {
            _ = try LinesideConfiguration.load(path: path)
        } catch {
            #expect(error.description == "\(path): cannot read the configuration: open failed: No such file or directory")
        }
    }

    @Test func directoryIsUnreadable() {
        do {
            _ = try LinesideConfiguration.load(path: "/tmp")
            Issue.record("a directory loaded as a configuration")
        } catch {
            #expect(error.line == nil)
            #expect(error.description.hasPrefix("/tmp: cannot read the configuration: "), "\(error)")
        }
    }

    @Test func binaryFileIsRefused() throws {
        let path = try temporaryFile("", name: "binary")
        try FileIO.writeAtomically([0x5B, 0xFF, 0xFE, 0x5D], to: path)
        #expect(throws: ConfigError(path: path, line: nil, kind: .unreadable(reason: "the file is not UTF-8 text"))) {
            try LinesideConfiguration.load(path: path)
        }
    }
}
