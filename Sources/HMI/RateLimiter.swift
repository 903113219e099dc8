/// Requests per second per client address: a token bucket each (bursts of twice the rate),
/// at most `maximumClients` remembered (the idle ones are forgotten first).
struct RateLimiter {
    let perSecond: Double
    let burst: Double
    static let maximumClients = 4096
    private var buckets: [String: (tokens: Double, atNs: UInt64)] = [:]

    init(perSecond: Int) {
        self.perSecond = Double(perSecond)
        burst = Double(perSecond) * 2
    }

    mutating func allow(_ client: String, nowNs: UInt64) -> Bool {
        if buckets.count >= Self.maximumClients, buckets[client] == nil {
            buckets = buckets.filter { nowNs &- $0.value.atNs < 10_000_000_000 }
            if buckets.count >= Self.maximumClients { return false }
        }
        var bucket = buckets[client] ?? (burst, nowNs)
        let elapsed = Double(nowNs &- bucket.atNs) / 1e9
        bucket.tokens = min(burst, bucket.tokens + elapsed * perSecond)
        bucket.atNs = nowNs
        let allowed = bucket.tokens >= 1
        if allowed { bucket.tokens -= 1 }
        buckets[client] = bucket
        return allowed
    }
}

/// Compares a presented token with the configured one in time that depends only on their
/// lengths, never on where they first differ.
enum TokenCheck {
    static func matches(_ presented: [UInt8], _ expected: [UInt8]) -> Bool {
        guard !expected.isEmpty else { return false }
        var difference = UInt8(presented.count == expected.count ? 0 : 1)
        for i in 0..<expected.count {
            let p = i < presented.count ? presented[i] : 0
            difference |= p ^ expected[i]
        }
        return difference == 0
    }
}

/// At most `perSecond` refusal lines a second in the log; the rest are counted and summed up in
/// the next line that is written (a request flood cannot flood the journal).
struct RefusalLog {
    let perSecond: Int
    private var windowNs: UInt64 = 0
    private var written = 0
    private var suppressed = 0

    init(perSecond: Int = 10) { self.perSecond = perSecond }

    /// The line to log now (with the count of suppressed ones), or nil to stay quiet.
    mutating func line(_ text: String, nowNs: UInt64) -> String? {
        if nowNs &- windowNs >= 1_000_000_000 { windowNs = nowNs; written = 0 }
        guard written < perSecond else { suppressed += 1; return nil }
        written += 1
        defer { suppressed = 0 }
        return suppressed > 0 ? "\(text) (and \(suppressed) more refusals not logged)" : text
    }
}
