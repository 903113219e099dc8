/// Scans one line of the file, byte by byte.
struct LineScanner {
    enum Failure: Error {
        case syntax(String)
        case kind(ConfigError.Kind)
    }

    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }
    var rest: String { String(decoding: bytes[position...], as: UTF8.self) }

    mutating func skipSpaces() {
        while let byte = peek, byte == 0x20 || byte == 0x09 { position += 1 }
    }

    /// At the end of the line or at a `#` comment.
    var atEndOrComment: Bool { peek == nil || peek == UInt8(ascii: "#") }

    /// After a header or a value: only spaces and a comment may follow.
    mutating func expectEnd(after what: String) throws(Failure) {
        skipSpaces()
        guard atEndOrComment else { throw .syntax("unexpected text after \(what): \"\(rest)\"") }
    }

    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    mutating func bareKey() -> String? {
        let start = position
        while let byte = peek, Self.isBareKeyByte(byte) { position += 1 }
        return position > start ? String(decoding: bytes[start..<position], as: UTF8.self) : nil
    }

    /// `[name]` or `[[name]]`, then the end of the line.
    mutating func header() throws(Failure) -> (name: String, isArray: Bool) {
        position += 1
        let isArray = peek == UInt8(ascii: "[")
        if isArray { position += 1 }
        skipSpaces()
        guard let name = bareKey() else { throw .syntax("expected a section name after \"[\", got \"\(rest)\"") }
        if peek == UInt8(ascii: ".") { throw .syntax("dotted section names are not supported: \"\(name).\(rest)\"") }
        skipSpaces()
        let close = isArray ? "]]" : "]"
        for byte in close.utf8 {
            guard peek == byte else { throw .syntax("expected \"\(close)\" after the section name \"\(name)\"") }
            position += 1
        }
        try expectEnd(after: "the section header")
        return (name, isArray)
    }

    /// `key = value`, then the end of the line.
    mutating func keyValue() throws(Failure) -> (String, ConfigValue) {
        guard let key = bareKey() else {
            if peek == UInt8(ascii: "\"") || peek == UInt8(ascii: "'") { throw .syntax("quoted keys are not supported") }
            throw .syntax("expected \"key = value\" or \"[section]\", got \"\(rest)\"")
        }
        skipSpaces()
        if peek == UInt8(ascii: ".") { throw .syntax("dotted keys are not supported: \"\(key)\(rest)\"") }
        guard peek == UInt8(ascii: "=") else { throw .syntax("expected \"=\" after \"\(key)\", got \"\(rest)\"") }
        position += 1
        skipSpaces()
        guard !atEndOrComment else { throw .syntax("missing value after \"\(key) =\"") }
        let value = try self.value()
        try expectEnd(after: "the value of \"\(key)\"")
        return (key, value)
    }

    /// Arrays nested deeper than this are refused (the schema has flat arrays only; a bound keeps a
    /// hostile file from exhausting the stack).
    static let maximumArrayDepth = 4

    mutating func value(depth: Int = 0) throws(Failure) -> ConfigValue {
        switch peek {
        case UInt8(ascii: "\""): return .string(try basicString())
        case UInt8(ascii: "'"): return .string(try literalString())
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        default: return try scalarWord()
        }
    }

    mutating func array(depth: Int) throws(Failure) -> ConfigValue {
        guard depth <= Self.maximumArrayDepth else {
            throw .syntax("arrays nested more than \(Self.maximumArrayDepth) deep")
        }
        position += 1
        var items: [ConfigValue] = []
        while true {
            skipSpaces()
            if peek == UInt8(ascii: "]") { position += 1; return .array(items) }
            guard !atEndOrComment else { throw .syntax("an array must close on its own line (missing \"]\")") }
            items.append(try value(depth: depth))
            skipSpaces()
            if peek == UInt8(ascii: ",") { position += 1; continue }
            guard peek == UInt8(ascii: "]") else {
                if atEndOrComment { throw .syntax("an array must close on its own line (missing \"]\")") }
                throw .syntax("expected \",\" or \"]\" in the array, got \"\(rest)\"")
            }
        }
    }

    mutating func literalString() throws(Failure) -> String {
        position += 1
        let start = position
        while let byte = peek, byte != UInt8(ascii: "'") {
            if byte < 0x20 || byte == 0x7F { throw .syntax("control character \(byte) in a string (lineside values never contain one)") }
            position += 1
        }
        guard peek != nil else { throw .kind(.unterminatedString) }
        defer { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// A TOML basic string: \" \\ \uXXXX \UXXXXXXXX escapes; control characters, raw or escaped
    /// (\b \t \n \f \r, \u0000...), are refused.
    mutating func basicString() throws(Failure) -> String {
        position += 1
        var out: [UInt8] = []
        while let byte = peek {
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escape = peek else { throw .kind(.unterminatedString) }
                position += 1
                switch escape {
                case UInt8(ascii: "b"), UInt8(ascii: "t"), UInt8(ascii: "n"), UInt8(ascii: "f"), UInt8(ascii: "r"):
                    // Valid TOML, but a path, chip or name with a control character cannot be right.
                    throw .syntax("control character escape \"\\\(Character(Unicode.Scalar(escape)))\" in a string (lineside values never contain one)")
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "u"), UInt8(ascii: "U"):
                    let digits = escape == UInt8(ascii: "u") ? 4 : 8
                    guard position + digits <= bytes.count,
                          let code = UInt32(String(decoding: bytes[position..<(position + digits)], as: UTF8.self), radix: 16),
                          let scalar = Unicode.Scalar(code) else {
                        throw .syntax("invalid \\\(Character(Unicode.Scalar(escape))) escape: needs \(digits) hex digits of a Unicode scalar")
                    }
                    position += digits
                    guard scalar.value >= 0x20, scalar.value != 0x7F else {
                        throw .syntax("control character \(scalar.value) in a string (lineside values never contain one)")
                    }
                    out += Array(String(Character(scalar)).utf8)
                default:
                    throw .syntax("invalid escape \"\\\(Character(Unicode.Scalar(escape)))\" in a string")
                }
            case 0x00..<0x20, 0x7F:
                throw .syntax("control character \(byte) in a string (lineside values never contain one)")
            default:
                out.append(byte)
            }
        }
        throw .kind(.unterminatedString)
    }

    /// true, false, an integer or a float: the word up to a space, a comma, "]" or "#".
    mutating func scalarWord() throws(Failure) -> ConfigValue {
        let start = position
        while let byte = peek, byte != 0x20, byte != 0x09, byte != UInt8(ascii: ","),
              byte != UInt8(ascii: "]"), byte != UInt8(ascii: "#") { position += 1 }
        let word = String(decoding: bytes[start..<position], as: UTF8.self)
        if word == "true" { return .boolean(true) }
        if word == "false" { return .boolean(false) }
        if let number = Self.number(word) { return number }
        if word.hasSuffix("inf") || word.hasSuffix("nan") { throw .syntax("\(word) is not allowed here (a finite number is)") }
        if let first = word.unicodeScalars.first, first == "+" || first == "-" || (first >= "0" && first <= "9") {
            throw .syntax("\"\(word)\" is not a valid number")
        }
        throw .syntax("\"\(word)\" is not a value (strings need quotes: \"\(word)\")")
    }

    /// TOML decimal integers and floats: digits may be separated by single underscores, no leading
    /// zeros, a float has digits on both sides of its point.
    static func number(_ word: String) -> ConfigValue? {
        var text = Substring(word)
        var sign = ""
        if let first = text.first, first == "+" || first == "-" {
            sign = first == "-" ? "-" : ""
            text = text.dropFirst()
        }
        func digits(_ part: Substring) -> String? {
            guard let first = part.first, let last = part.last, first.isASCII, first.isNumber, last.isASCII, last.isNumber,
                  !part.contains("__") else { return nil }
            guard part.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "_" }) else { return nil }
            return part.filter { $0 != "_" }
        }
        var mantissa = text, exponent: Substring? = nil
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = text[text.index(after: e)...]
        }
        var whole = mantissa, fraction: Substring? = nil
        if let dot = mantissa.firstIndex(of: ".") {
            whole = mantissa[..<dot]
            fraction = mantissa[mantissa.index(after: dot)...]
        }
        guard let wholeDigits = digits(whole), wholeDigits == "0" || !wholeDigits.hasPrefix("0") else { return nil }
        if fraction == nil && exponent == nil {
            return Int(sign + wholeDigits).map(ConfigValue.integer)
        }
        var literal = sign + wholeDigits
        if let fraction {
            guard let fractionDigits = digits(fraction) else { return nil }
            literal += "." + fractionDigits
        }
        if var exponent {
            var exponentSign = ""
            if let first = exponent.first, first == "+" || first == "-" {
                exponentSign = String(first)
                exponent = exponent.dropFirst()
            }
            guard let exponentDigits = digits(exponent) else { return nil }
            literal += "e" + exponentSign + exponentDigits
        }
        guard let x = Double(literal), x.isFinite else { return nil }
        return .float(x)
    }
}
