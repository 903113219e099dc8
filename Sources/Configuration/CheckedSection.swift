/// One table of the file after the schema checked every key's name, type and range: typed reads
/// that fall back to the schema's defaults. An absent section reads as all defaults.
struct CheckedSection {
    let name: String
    /// "[camera]" or "[[reject]] 2", for messages.
    let displayName: String
    /// The header's line; nil when the section is not in the file.
    let line: Int?
    private var entries: [String: ConfigEntry] = [:]

    init(name: String, displayName: String? = nil, line: Int?) {
        self.name = name
        self.displayName = displayName ?? "[\(name)]"
        self.line = line
    }

    /// Checks every entry of `table` against the schema.
    init(checking table: ConfigTable, path: String) throws(ConfigError) {
        self.init(name: table.name, displayName: table.displayName, line: table.line)
        for entry in table.entries {
            guard let spec = ConfigSchema.key(entry.key, in: table.name) else {
                let names = ConfigSchema.keys(in: table.name).map(\.name)
                throw ConfigError(path: path, line: entry.line,
                                  kind: .unknownKey(key: entry.key, section: displayName,
                                                    suggestion: Suggestion.closest(to: entry.key, among: names)))
            }
            let value = try spec.check(entry.value, in: displayName, path: path, line: entry.line)
            entries[entry.key] = ConfigEntry(key: entry.key, value: value, line: entry.line)
        }
    }

    /// True when the file sets `key` in this section.
    func has(_ key: String) -> Bool { entries[key] != nil }

    /// The line that set `key`, else the header's line.
    func line(of key: String) -> Int? { entries[key]?.line ?? line }

    /// The value in the file, else the schema's default, else nil.
    func value(_ key: String) -> ConfigValue? {
        if let entry = entries[key] { return entry.value }
        guard let spec = ConfigSchema.key(key, in: name) else { preconditionFailure("no key \(key) in [\(name)] in the schema") }
        return spec.defaultValue
    }

    func optionalInt(_ key: String) -> Int? {
        guard case .integer(let n)? = value(key) else { return nil }
        return n
    }

    func int(_ key: String) -> Int {
        guard let n = optionalInt(key) else { preconditionFailure("[\(name)] \(key) has no integer default") }
        return n
    }

    func optionalDouble(_ key: String) -> Double? {
        guard case .float(let x)? = value(key) else { return nil }
        return x
    }

    func double(_ key: String) -> Double {
        guard let x = optionalDouble(key) else { preconditionFailure("[\(name)] \(key) has no float default") }
        return x
    }

    func bool(_ key: String) -> Bool {
        guard case .boolean(let b)? = value(key) else { preconditionFailure("[\(name)] \(key) has no boolean default") }
        return b
    }

    func optionalString(_ key: String) -> String? {
        guard case .string(let text)? = value(key) else { return nil }
        return text
    }

    func string(_ key: String) -> String {
        guard let text = optionalString(key) else { preconditionFailure("[\(name)] \(key) has no string default") }
        return text
    }

    func optionalInts(_ key: String) -> [Int]? {
        guard case .array(let items)? = value(key) else { return nil }
        return items.compactMap { if case .integer(let n) = $0 { n } else { nil } }
    }

    /// Milliseconds as a Duration.
    func milliseconds(_ key: String) -> Duration { .milliseconds(int(key)) }

    /// Milliseconds as nanoseconds (the LineIO unit).
    func nanoseconds(_ key: String) -> UInt64 { UInt64(int(key)) * 1_000_000 }
}
