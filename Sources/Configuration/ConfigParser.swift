/// Reads the configuration file's TOML subset: `[section]` and `[[section]]` headers, `key = value`
/// with strings ("basic" with TOML escapes, or 'literal'), integers, floats, booleans and one-line
/// arrays of those, `#` comments (also after a value) and blank lines. Anything else, a duplicate key
/// or a duplicate section is an error naming the file and line. Every file it accepts is valid TOML.
/// Numbers follow TOML: `+17` and `1_7` are the integer 17 (underscores only between digits), no
/// leading zeros, no inf/nan. Strings may not contain control characters (raw or escaped).
public enum ConfigParser {
    public static func parse(_ text: String, path: String) throws(ConfigError) -> ConfigDocument {
        var document = ConfigDocument(path: path, tables: [])
        var tableLines: [String: (line: Int, isArray: Bool)] = [:]
        var keyLines: [String: Int] = [:]
        var lineNumber = 0
        // A UTF-8 byte-order mark at the start is accepted, as TOML tools do.
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        for rawLine in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var bytes = Array(rawLine)
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            var scanner = LineScanner(bytes: bytes)
            func fail(_ kind: ConfigError.Kind) -> ConfigError { ConfigError(path: path, line: lineNumber, kind: kind) }
            do throws(LineScanner.Failure) {
                scanner.skipSpaces()
                if scanner.atEndOrComment { continue }
                if scanner.peek == UInt8(ascii: "[") {
                    let (name, isArray) = try scanner.header()
                    if let first = tableLines[name], !(first.isArray && isArray) {
                        throw .kind(.duplicateSection(isArray ? "[[\(name)]]" : "[\(name)]", firstLine: first.line))
                    }
                    let index = document.tables(named: name).count + 1
                    tableLines[name] = tableLines[name] ?? (lineNumber, isArray)
                    document.tables.append(ConfigTable(name: name, isArrayElement: isArray, index: index,
                                                       line: lineNumber, entries: []))
                    keyLines = [:]
                    continue
                }
                let (key, value) = try scanner.keyValue()
                guard var table = document.tables.popLast() else { throw .kind(.keyOutsideSection(key: key)) }
                defer { document.tables.append(table) }
                if let first = keyLines[key] {
                    throw .kind(.duplicateKey(key: key, section: table.displayName, firstLine: first))
                }
                keyLines[key] = lineNumber
                table.entries.append(ConfigEntry(key: key, value: value, line: lineNumber))
            } catch {
                switch error {
                case .kind(let kind): throw fail(kind)
                case .syntax(let text): throw fail(.syntax(text))
                }
            }
        }
        return document
    }
}
