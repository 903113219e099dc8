/// A configuration file that cannot be used: the file, the line (when one is to blame) and what is
/// wrong. The description is one line, `file:line: message`, for the operator and the journal.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    /// 1-based line number; nil when the whole file is to blame (unreadable, a section missing).
    public var line: Int?
    public var kind: Kind

    public init(path: String, line: Int?, kind: Kind) {
        self.path = path
        self.line = line
        self.kind = kind
    }

    /// What is wrong. Sections are named as they are written: "[camera]", "[[reject]] 2".
    public enum Kind: Equatable, Sendable {
        /// The file could not be read (open, stat or read failed; the reason carries the errno text).
        case unreadable(reason: String)
        /// A line that is not a comment, a `[section]` header or `key = value`.
        case syntax(String)
        /// A string without its closing quote.
        case unterminatedString
        /// `key = value` before the first `[section]`.
        case keyOutsideSection(key: String)
        case unknownSection(String, suggestion: String?)
        case unknownKey(key: String, section: String, suggestion: String?)
        case duplicateKey(key: String, section: String, firstLine: Int)
        case duplicateSection(String, firstLine: Int)
        case wrongType(key: String, section: String, expected: String, got: String)
        case outOfRange(key: String, section: String, value: String, allowed: String)
        case badChoice(key: String, section: String, value: String, allowed: [String])
        case missingKey(key: String, section: String, reason: String)
        case missingSection(String, reason: String)
        case emptyPath(key: String, section: String)
        /// A chip selector that names no chip ("label=", "gpiochip0:17", "/sys/...").
        case badChip(String, section: String, reason: String)
        case lineUsedTwice(line: String, section: String, firstSection: String, firstLine: Int?)
        case roiOutsideFrame(roi: String, width: Int, height: Int)
        case longPressTooShort(longPressMs: Int, debounceMs: Int)
        /// A check of a module's own validation that the schema did not catch first.
        case invalid(String)
    }

    public var description: String {
        (line.map { "\(path):\($0): " } ?? "\(path): ") + message
    }

    /// The description without the `file:line: ` prefix.
    public var message: String {
        switch kind {
        case .unreadable(let reason):
            return "cannot read the configuration: \(reason)"
        case .syntax(let text):
            return "syntax error: \(text)"
        case .unterminatedString:
            return "unterminated string (no closing quote on this line)"
        case .keyOutsideSection(let key):
            return "key \"\(key)\" is outside any [section]"
        case .unknownSection(let name, let suggestion):
            return "unknown section \(name)" + (suggestion.map { " (did you mean \($0)?)" } ?? "")
        case .unknownKey(let key, let section, let suggestion):
            return "unknown key \"\(key)\" in \(section)" + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? "")
        case .duplicateKey(let key, let section, let firstLine):
            return "duplicate key \"\(key)\" in \(section) (first set on line \(firstLine))"
        case .duplicateSection(let name, let firstLine):
            return "duplicate section \(name) (first on line \(firstLine))"
        case .wrongType(let key, let section, let expected, let got):
            return "wrong type for \"\(key)\" in \(section): expected \(expected), got \(got)"
        case .outOfRange(let key, let section, let value, let allowed):
            return "\(key) = \(value) in \(section) is out of range (allowed: \(allowed))"
        case .badChoice(let key, let section, let value, let allowed):
            return "bad value \(value) for \(key) in \(section) (allowed: "
                + allowed.map { ConfigValue.quoted($0) }.joined(separator: ", ") + ")"
        case .missingKey(let key, let section, let reason):
            return "missing required key \"\(key)\" in \(section) (\(reason))"
        case .missingSection(let name, let reason):
            return "missing section \(name) (\(reason))"
        case .emptyPath(let key, let section):
            return "empty path for \"\(key)\" in \(section)"
        case .badChip(let chip, let section, let reason):
            return "bad chip \(ConfigValue.quoted(chip)) in \(section): \(reason)"
        case .lineUsedTwice(let address, let section, let firstSection, let firstLine):
            return "line \(address) in \(section) is already used by \(firstSection)"
                + (firstLine.map { " (line \($0))" } ?? "")
        case .roiOutsideFrame(let roi, let width, let height):
            return "roi \(roi) lies outside the \(width)x\(height) frame (or is empty)"
        case .longPressTooShort(let longPress, let debounce):
            return "long_press_ms = \(longPress) must be longer than debounce_ms = \(debounce) in [lines]"
        case .invalid(let text):
            return "invalid configuration: \(text)"
        }
    }
}
