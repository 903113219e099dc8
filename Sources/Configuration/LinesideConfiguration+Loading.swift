import Platform

extension LinesideConfiguration {
    /// Largest configuration file read (a config is a few kB; anything near this is not one).
    public static let maximumFileBytes = 1 << 20

    /// Reads and checks the configuration file (`FileIO.read`: open, fstat, read). Touches no hardware.
    public static func load(path: String = ConfigSchema.defaultPath) throws(ConfigError) -> LinesideConfiguration {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(path, limit: maximumFileBytes)
        } catch {
            throw ConfigError(path: path, line: nil, kind: .unreadable(reason: "\(error.operation) failed: \(error.errno)"))
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(path: path, line: nil, kind: .unreadable(reason: "the file is not UTF-8 text"))
        }
        return try parse(text: text, path: path)
    }

    /// Checks `text` as the contents of the file `path` (used in messages only).
    public static func parse(text: String, path: String) throws(ConfigError) -> LinesideConfiguration {
        let document = try ConfigParser.parse(text, path: path)
        return try ConfigurationBuilder(path: path, sections: try checkSections(document)).build()
    }

    /// Every table against the schema: known section (and `[x]` versus `[[x]]` as the schema says),
    /// known keys, right types and ranges.
    static func checkSections(_ document: ConfigDocument) throws(ConfigError) -> [String: [CheckedSection]] {
        var sections: [String: [CheckedSection]] = [:]
        for table in document.tables {
            let header = table.isArrayElement ? "[[\(table.name)]]" : "[\(table.name)]"
            guard let spec = ConfigSchema.section(named: table.name), spec.repeated == table.isArrayElement else {
                let suggestion = ConfigSchema.section(named: table.name)?.header
                    ?? Suggestion.closest(to: table.name, among: ConfigSchema.sections.map(\.name))
                        .flatMap { ConfigSchema.section(named: $0)?.header }
                throw ConfigError(path: document.path, line: table.line, kind: .unknownSection(header, suggestion: suggestion))
            }
            sections[table.name, default: []].append(try CheckedSection(checking: table, path: document.path))
        }
        return sections
    }
}
