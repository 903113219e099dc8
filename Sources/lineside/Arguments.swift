import Backbone
/// A small command-line parser: `--name value`, `--name=value`, `--flag`, positionals.
/// Unknown options are usage errors (exit 2), never ignored.
struct Arguments {
    private(set) var options: [String: String] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positionals: [String] = []

    /// `valued` lists the options that take a value; `switches` the ones that don't.
    init(_ arguments: [String], valued: Set<String>, switches: Set<String>) throws(UsageError) {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            if argument == "--" { positionals += rest; break }
            guard argument.hasPrefix("--") else { positionals.append(argument); continue }
            var name = String(argument.dropFirst(2)), value: String? = nil
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if switches.contains(name) {
                guard value == nil else { throw UsageError("--\(name) takes no value") }
                flags.insert(name)
            } else if valued.contains(name) {
                if value == nil { value = rest.popFirst() }
                guard let value, !value.isEmpty else { throw UsageError("--\(name) needs a value") }
                options[name] = value
            } else {
                throw UsageError("unknown option --\(name)")
            }
        }
    }

    func string(_ name: String) -> String? { options[name] }

    func required(_ name: String) throws(UsageError) -> String {
        guard let value = options[name] else { throw UsageError("--\(name) is required") }
        return value
    }

    func int(_ name: String, default value: Int, range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let text = options[name] else { return value }
        guard let n = Int(text), range.contains(n) else { throw UsageError("--\(name) must be a whole number in \(range.lowerBound)...\(range.upperBound), got \(text)") }
        return n
    }

    func optionalInt(_ name: String, range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard options[name] != nil else { return nil }
        return try int(name, default: range.lowerBound, range: range)
    }

    func double(_ name: String, default value: Double, range: ClosedRange<Double>) throws(UsageError) -> Double {
        guard let text = options[name] else { return value }
        guard let x = Double(text), range.contains(x) else { throw UsageError("--\(name) must be a number in \(range.lowerBound)...\(range.upperBound), got \(text)") }
        return x
    }

    func has(_ flag: String) -> Bool { flags.contains(flag) }

    /// `--precision int8|float32-prefix` (default `BackbonePrecision.standard`).
    func precision() throws(UsageError) -> BackbonePrecision {
        guard let text = options["precision"] else { return .standard }
        guard let precision = BackbonePrecision(name: text) else {
            throw UsageError("--precision must be \(BackbonePrecision.allCases.map(\.name).joined(separator: " or ")), got \(text.prefix(40))")
        }
        return precision
    }
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
