#if canImport(Glibc)
import Glibc
#endif

/// Output helpers: results to stdout, diagnostics to stderr, one line each.
enum Console {
    static func error(_ message: String) {
        var line = "lineside: " + message + "\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// One line to stdout, written at once (not buffered), so it interleaves cleanly with the log.
    static func line(_ message: String) {
        var line = message + "\n"
        line.withUTF8 { _ = write(1, $0.baseAddress, $0.count) }
    }

    static func note(_ message: String) {
        var line = message + "\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// Progress on one line when stderr is a terminal; silent otherwise.
    static func progress(_ message: String) {
        guard isatty(2) != 0 else { return }
        var line = "\r" + message + "\u{1B}[K"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    static func endProgress() { if isatty(2) != 0 { note("") } }
}

/// Formats a number with a fixed count of decimals (no Foundation String(format:)).
func fixed(_ x: Double, _ decimals: Int) -> String {
    guard x.isFinite else { return "\(x)" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let negative = x < 0
    let scaled = (abs(x) * scale).rounded()
    let whole = Int(scaled / scale)
    var frac = String(Int(scaled) - whole * Int(scale))
    while frac.count < decimals { frac = "0" + frac }
    return (negative ? "-" : "") + String(whole) + (decimals > 0 ? "." + frac : "")
}

func fixed(_ x: Float, _ decimals: Int) -> String { fixed(Double(x), decimals) }
