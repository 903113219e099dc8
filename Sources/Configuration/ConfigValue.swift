/// One value of the configuration file, as TOML writes it.
public enum ConfigValue: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    /// `[a, b, c]`, on one line.
    case array([ConfigValue])

    /// The TOML type name, for "expected an integer, got a string" messages.
    public var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .array: "an array"
        }
    }

    /// The value written back as TOML (strings quoted and escaped).
    public var description: String {
        switch self {
        case .string(let text): return ConfigValue.quoted(text)
        case .integer(let n): return String(n)
        case .float(let x):
            let text = String(x)
            return text.contains(".") || text.contains("e") || !x.isFinite ? text : text + ".0"
        case .boolean(let b): return b ? "true" : "false"
        case .array(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        }
    }

    /// A TOML basic string: `"` and `\` escaped, control characters as \t, \n, \r or \uXXXX.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
