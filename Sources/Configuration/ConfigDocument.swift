/// A parsed configuration file, before the schema has looked at it: its tables in file order.
public struct ConfigDocument: Sendable, Equatable {
    public var path: String
    public var tables: [ConfigTable]

    /// The tables called `name` (several for `[[name]]`, at most one for `[name]`).
    public func tables(named name: String) -> [ConfigTable] { tables.filter { $0.name == name } }
}

/// One `[name]` table, or one element of a `[[name]]` array of tables.
public struct ConfigTable: Sendable, Equatable {
    public var name: String
    /// True for `[[name]]`.
    public var isArrayElement: Bool
    /// 1-based position among the `[[name]]` tables of the same name; 1 for a plain table.
    public var index: Int
    /// The header's line.
    public var line: Int
    public var entries: [ConfigEntry]

    /// How messages name it: "[camera]" or "[[reject]] 2".
    public var displayName: String { isArrayElement ? "[[\(name)]] \(index)" : "[\(name)]" }

    public func entry(_ key: String) -> ConfigEntry? { entries.first { $0.key == key } }
}

/// `key = value` on line `line`.
public struct ConfigEntry: Sendable, Equatable {
    public var key: String
    public var value: ConfigValue
    public var line: Int
}
