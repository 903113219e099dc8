/// The type and allowed values of one configuration key.
public enum ConfigType: Sendable {
    case string
    /// A non-empty string naming a file, folder or device.
    case path
    /// A GPIO chip: a device name (gpiochip0), `label=<label>` or a /dev path.
    case chip
    case integer(ClosedRange<Int>)
    /// A float; an integer is accepted too (`margin = 2`).
    case float(ClosedRange<Double>)
    case boolean
    /// A string from a fixed list.
    case choice([String])
    /// An array of exactly `count` integers, each in the range.
    case integers(count: Int, ClosedRange<Int>)

    /// "integer, 16...8192" for the documentation.
    public var summary: String {
        switch self {
        case .string: return "string"
        case .path: return "path (string, not empty)"
        case .chip: return "string: gpiochipN, label=LABEL or /dev/gpiochipN"
        case .integer(let range): return "integer, " + Self.text(range)
        case .float(let range): return "number, \(Self.text(range.lowerBound))...\(Self.text(range.upperBound))"
        case .boolean: return "boolean"
        case .choice(let values): return "one of " + values.map { ConfigValue.quoted($0) }.joined(separator: ", ")
        case .integers(let count, let range): return "array of \(count) integers, each " + Self.text(range)
        }
    }

    static func text(_ range: ClosedRange<Int>) -> String {
        range.upperBound == Int.max ? "\(range.lowerBound) or more" : "\(range.lowerBound)...\(range.upperBound)"
    }

    static func text(_ x: Double) -> String { ConfigValue.float(x).description }
}

/// One key of the schema: where it lives, its type, its default, what it means.
public struct ConfigKeySpec: Sendable {
    public var section: String
    public var name: String
    public var type: ConfigType
    /// The value used when the key is absent; nil when there is none (optional or required).
    public var defaultValue: ConfigValue?
    /// When the key must be given ("required", "required when source = \"camera\""); nil: optional.
    public var requirement: String?
    /// Shown (commented out) in the generated default file for a key without a default.
    public var example: ConfigValue?
    /// What the key does, for the generated documentation.
    public var doc: String

    public init(_ section: String, _ name: String, _ type: ConfigType, default defaultValue: ConfigValue? = nil,
                requirement: String? = nil, example: ConfigValue? = nil, doc: String) {
        self.section = section
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.requirement = requirement
        self.example = example
        self.doc = doc
    }

    /// Checks a value written on line `line` of `path` against the type: the value to use (an
    /// integer written for a float becomes a float), or what is wrong with it.
    public func check(_ value: ConfigValue, in section: String, path: String, line: Int) throws(ConfigError) -> ConfigValue {
        func fail(_ kind: ConfigError.Kind) -> ConfigError { ConfigError(path: path, line: line, kind: kind) }
        func wrongType(_ expected: String) -> ConfigError {
            fail(.wrongType(key: name, section: section, expected: expected, got: value.typeName))
        }
        func outOfRange(_ allowed: String) -> ConfigError {
            fail(.outOfRange(key: name, section: section, value: value.description, allowed: allowed))
        }
        switch (type, value) {
        case (.string, .string), (.chip, .string), (.boolean, .boolean):
            return value
        case (.path, .string(let text)):
            guard !text.isEmpty else { throw fail(.emptyPath(key: name, section: section)) }
            return value
        case (.integer(let range), .integer(let n)):
            guard range.contains(n) else { throw outOfRange(ConfigType.text(range)) }
            return value
        case (.float(let range), .integer(let n)):
            guard range.contains(Double(n)) else { throw outOfRange(type.summary) }
            return .float(Double(n))
        case (.float(let range), .float(let x)):
            guard range.contains(x) else { throw outOfRange(type.summary) }
            return value
        case (.choice(let values), .string(let text)):
            guard values.contains(text) else {
                throw fail(.badChoice(key: name, section: section, value: value.description, allowed: values))
            }
            return value
        case (.integers(let count, let range), .array(let items)):
            guard items.count == count else {
                throw fail(.wrongType(key: name, section: section, expected: "an array of \(count) integers",
                                      got: "an array of \(items.count) values"))
            }
            for item in items {
                guard case .integer(let n) = item else { throw wrongType("an array of \(count) integers") }
                guard range.contains(n) else { throw outOfRange("each " + ConfigType.text(range)) }
            }
            return value
        case (.string, _), (.path, _), (.chip, _), (.choice, _): throw wrongType("a string")
        case (.integer, _): throw wrongType("an integer")
        case (.float, _): throw wrongType("a number")
        case (.boolean, _): throw wrongType("a boolean (true or false)")
        case (.integers(let count, _), _): throw wrongType("an array of \(count) integers")
        }
    }
}

/// One section of the schema.
public struct ConfigSectionSpec: Sendable {
    public var name: String
    /// `[[name]]`: written once per item (reject lines).
    public var repeated: Bool
    public var doc: String

    /// How the file writes its header: "[camera]" or "[[reject]]".
    public var header: String { repeated ? "[[\(name)]]" : "[\(name)]" }
}
