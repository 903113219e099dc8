import Testing
@testable import Configuration

@Suite struct ConfigParserTests {
    func parse(_ text: String) throws(ConfigError) -> ConfigDocument { try ConfigParser.parse(text, path: "test.conf") }

    func syntaxError(_ text: String) -> ConfigError? {
        do { _ = try parse(text); return nil } catch { return error }
    }

    @Test func readsSectionsKeysAndEveryValueType() throws {
        let document = try parse("""
        # comment
        [a]
        s = "text"   # trailing comment
        i = -42
        f = 1.5e3
        b = true
        list = [1, 2, 3]

        [[item]]
        x = 'literal \\n stays'
        [[item]]
        x = 1_000
        """)
        #expect(document.tables.map(\.displayName) == ["[a]", "[[item]] 1", "[[item]] 2"])
        let a = document.tables[0]
        #expect(a.entry("s")?.value == .string("text"))
        #expect(a.entry("s")?.line == 3)
        #expect(a.entry("i")?.value == .integer(-42))
        #expect(a.entry("f")?.value == .float(1500))
        #expect(a.entry("b")?.value == .boolean(true))
        #expect(a.entry("list")?.value == .array([.integer(1), .integer(2), .integer(3)]))
        #expect(document.tables[1].entry("x")?.value == .string("literal \\n stays"))
        #expect(document.tables[2].entry("x")?.value == .integer(1000))
    }

    @Test func decodesTomlBasicStringEscapes() throws {
        let document = try parse(#"[a]"# + "\n" + #"s = "quote \"q\" back\\slash \u00e9 \U0001F600""#)
        #expect(document.tables[0].entry("s")?.value == .string("quote \"q\" back\\slash é 😀"))
    }

    @Test(arguments: [#"x = "gpio\nchip0""#, #"x = "a\u0000b""#, #"x = "tab\there""#, "x = \"raw\ttab\"",
                      "x = 'raw\u{7F}del'", #"x = "\U0000001F""#])
    func controlCharactersInStringsAreRefused(line: String) {
        #expect(syntaxError("[a]\n" + line).map { "\($0)".contains("control character") } == true)
    }

    @Test func deeplyNestedArraysAreRefusedNotRecursedInto() {
        let line = "x = " + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000)
        #expect(syntaxError("[a]\n" + line).map { "\($0)".contains("nested more than") } == true)
        #expect(syntaxError("[a]\nx = [[[[1]]]]") == nil)
    }

    @Test func aByteOrderMarkIsAccepted() throws {
        let document = try parse("\u{FEFF}[a]\nx = 1\n")
        #expect(document.tables[0].entry("x")?.value == .integer(1))
    }

    @Test func integersFollowTOML() throws {
        let document = try parse("[a]\nx = +17\ny = 1_7\nz = -1_000")
        #expect(document.tables[0].entry("x")?.value == .integer(17))
        #expect(document.tables[0].entry("y")?.value == .integer(17))
        #expect(document.tables[0].entry("z")?.value == .integer(-1000))
        #expect(syntaxError("[a]\nx = 1__7") != nil && syntaxError("[a]\nx = _17") != nil && syntaxError("[a]\nx = 017") != nil)
    }

    @Test func acceptsCRLFLineEndings() throws {
        let document = try parse("[a]\r\nx = 1\r\n")
        #expect(document.tables[0].entry("x")?.value == .integer(1))
    }

    @Test func quotedValuesRoundTripThroughDescription() throws {
        let original = "a \"quoted\" \\ path with é"
        let document = try parse("[a]\nx = " + ConfigValue.quoted(original))
        #expect(document.tables[0].entry("x")?.value == .string(original))
    }

    @Test func unterminatedStringNamesItsLine() {
        let error = syntaxError("[a]\nx = 1\ny = \"open")
        #expect(error?.kind == .unterminatedString)
        #expect(error?.line == 3)
        #expect(error?.description == "test.conf:3: unterminated string (no closing quote on this line)")
    }

    @Test(arguments: [
        ("[a]\nwidth 640", "expected \"=\" after \"width\""),
        ("[a]\nx = 1 2", "unexpected text after the value of \"x\""),
        ("[a]\nx =", "missing value after \"x =\""),
        ("[a]\nx = yes", "\"yes\" is not a value"),
        ("[a]\nx = 012", "\"012\" is not a valid number"),
        ("[a]\nx = 1.", "\"1.\" is not a valid number"),
        ("[a]\nx = 1__0", "\"1__0\" is not a valid number"),
        ("[a]\nx = [1, 2", "missing \"]\""),
        ("[a]\nx = nan", "nan is not allowed"),
        ("[a]\nx = \"bad \\q escape\"", "invalid escape"),
        ("[a # no bracket", "expected \"]\" after the section name"),
        ("[a.b]", "dotted section names"),
        ("[a]\na.b = 1", "dotted keys"),
        ("[a]\n= 1", "expected \"key = value\""),
    ])
    func malformedLinesAreSyntaxErrorsWithTheirLine(text: String, phrase: String) {
        let error = syntaxError(text)
        guard case .syntax(let message)? = error?.kind else {
            Issue.record("expected a syntax error for \(text.debugDescription), got \(String(describing: error))")
            return
        }
        #expect(message.contains(phrase), "\(message)")
        #expect(error?.line == text.split(separator: "\n", omittingEmptySubsequences: false).count)
    }

    @Test func duplicateKeyNamesBothLines() {
        let error = syntaxError("[camera]\nwidth = 1\nheight = 2\nwidth = 3")
        #expect(error?.kind == .duplicateKey(key: "width", section: "[camera]", firstLine: 2))
        #expect(error?.line == 4)
    }

    @Test func sameKeyInTwoArrayTablesIsNoDuplicate() throws {
        let document = try parse("[[reject]]\noffset = 1\n[[reject]]\noffset = 2")
        #expect(document.tables(named: "reject").map(\.index) == [1, 2])
    }

    @Test func duplicateSectionNamesTheFirst() {
        #expect(syntaxError("[camera]\n[model]\n[camera]")?.kind == .duplicateSection("[camera]", firstLine: 1))
        #expect(syntaxError("[[reject]]\n[reject]")?.kind == .duplicateSection("[reject]", firstLine: 1))
    }

    @Test func keyBeforeAnySectionIsRefused() {
        let error = syntaxError("# header\nwidth = 640")
        #expect(error?.kind == .keyOutsideSection(key: "width"))
        #expect(error?.line == 2)
    }
}
