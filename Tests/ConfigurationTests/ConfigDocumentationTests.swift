import Platform
import Testing
@testable import Configuration

@Suite struct ConfigDocumentationTests {
    /// The repository's root, from this file's path.
    static let repository: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/ConfigurationTests/<file>
        return parts.joined(separator: "/")
    }()

    func read(_ relative: String) throws -> String {
        String(decoding: try FileIO.read(Self.repository + "/" + relative), as: UTF8.self)
    }

    @Test func defaultsFileParsesAndListsEveryKey() throws {
        let text = ConfigDocumentation.defaultsFile()
        let document = try ConfigParser.parse(text, path: "defaults")
        #expect(document.tables.map(\.name) == ["camera", "replay", "model", "calibration", "lines", "service", "drift", "archive", "hmi", "registration"])
        for key in ConfigSchema.keys {
            let set = "\n\(key.name) = ", commented = "\n#\(key.name) = "
            #expect(text.contains(set) || text.contains(commented), "\(key.section).\(key.name) missing")
        }
    }

    @Test func defaultsFileWithDeviceAndRejectLineIsTheDefaultConfiguration() throws {
        let text = ConfigDocumentation.defaultsFile()
            .replacing("#device = ", with: "device = ")
            .replacing("#chip = ", with: "chip = ", maxReplacements: 1)  // [lines] chip
            .replacing("#[[reject]]", with: "[[reject]]")
            .replacing("#offset = 17", with: "offset = 17", maxReplacements: 1)
        let configuration = try LinesideConfiguration.parse(text: text, path: "defaults")
        let minimal = try LinesideConfiguration.parse(text: """
            [camera]
            device = "/dev/video0"
            [[reject]]
            chip = "label=pinctrl-bcm2711"
            offset = 17
            """, path: "minimal")
        #expect(configuration.source == minimal.source)
        #expect(configuration.service == minimal.service)
        #expect(configuration.lines.rejectLines.map(\.output) == minimal.lines.rejectLines.map(\.output))
    }

    @Test func everyKeyHasADefaultOrSaysWhyNot() {
        for key in ConfigSchema.keys {
            #expect(key.defaultValue != nil || key.example != nil, "\(key.section).\(key.name) has no default and no example")
            #expect(ConfigSchema.section(named: key.section) != nil, "\(key.section) is not a section")
            if let value = key.defaultValue {
                #expect(throws: Never.self) { _ = try key.check(value, in: key.section, path: "schema", line: 0) }
            }
            if let example = key.example {
                #expect(throws: Never.self) { _ = try key.check(example, in: key.section, path: "schema", line: 0) }
            }
        }
    }

    @Test func committedDefaultsFileMatchesTheSchema() throws {
        #expect(try read("board/lineside.conf.defaults") == ConfigDocumentation.defaultsFile(),
                "regenerate: lineside check-config --print-defaults > board/lineside.conf.defaults")
    }

    @Test func readmeReferenceMatchesTheSchema() throws {
        let readme = try read("board/README.md")
        #expect(readme.contains(ConfigDocumentation.reference()),
                "regenerate the key reference: lineside check-config --print-reference")
    }

    @Test func raspberryPiExampleIsValid() throws {
        let path = Self.repository + "/board/lineside.conf.example-rpi"
        let configuration = try LinesideConfiguration.load(path: path)
        #expect(configuration.lines.rejectLines.first?.output.address.description == "label=pinctrl-bcm2711:17")
        #expect(configuration.lines.button?.bias == .pullUp)
    }
}
