import Glibc
import HMI
import LineIO
import Platform
import Service
import Synchronization

/// `lineside soak --hmi-clients N`: N clients polling the HMI the way its page does, switched
/// on and off in phases of the run, and the figures of each phase (latency, reject timing).
final class HMILoad: @unchecked Sendable {
    // @unchecked: `threads` is touched only by the owner's thread (start, stop).
    let port: Int
    let clients: Int
    let active = Atomic<Bool>(false)
    let stopping = Atomic<Bool>(false)
    let answered = Atomic<UInt64>(0)
    let failed = Atomic<UInt64>(0)
    private var threads: [PosixThread] = []

    init(port: Int, clients: Int) {
        self.port = port
        self.clients = clients
    }

    /// Each client, while active: the state every 250 ms, the two live pictures every 500 ms,
    /// the archive every 400 ms, the scores every 2 s (the page's own rates).
    func start() throws {
        for index in 0..<clients {
            threads.append(try PosixThread { [self] in
                PosixThread.runCurrentThreadOnlyWhenIdle()  // they stand for browsers on other machines
                var tick: UInt64 = UInt64(index)  // spread the clients over the 50 ms ticks
                while !stopping.load(ordering: .relaxed) {
                    guard active.load(ordering: .relaxed) else { SystemClock.shared.sleep(for: .milliseconds(20)); continue }
                    var paths: [String] = []
                    if tick % 5 == 0 { paths.append("/api/state") }
                    if tick % 10 == 0 { paths += ["/live/frame.jpg", "/live/heatmap.jpg"] }
                    if tick % 8 == 0 { paths.append("/api/archive") }
                    if tick % 40 == 0 { paths.append("/api/parts") }
                    for path in paths {
                        let status = Self.get(port: port, path: path)
                        if status == 200 || status == 404 { answered.add(1, ordering: .relaxed) } else { failed.add(1, ordering: .relaxed) }
                    }
                    tick &+= 1
                    SystemClock.shared.sleep(for: .milliseconds(50))
                }
            })
        }
    }

    func stop() {
        stopping.store(true, ordering: .relaxed)
        for thread in threads { thread.join() }
        threads = []
    }

    /// One GET over a new connection to 127.0.0.1; the status code, or 0 when it failed.
    static func get(port: Int, path: String) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return 0 }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return 0 }
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            if head.count < 16 { head += buffer.prefix(min(n, 16 - head.count)) }
        }
        // "HTTP/1.1 200"
        guard head.count >= 12, let code = Int(String(decoding: head[9..<12], as: UTF8.self)) else { return 0 }
        return code
    }
}

/// Every part's figures with the phase it was decided in (the inspection thread appends).
final class PhaseRecorder: ResultSink {
    struct Part: Sendable {
        var captureNs: UInt64
        var latencyNs: UInt64?
        var rejected: Bool
        var loaded: Bool
        /// Parts of the first phase (start-up, caches warming) are left out of the figures.
        var warmUp: Bool
    }

    let loaded = Atomic<Bool>(false)
    let warmUp = Atomic<Bool>(true)
    private let parts = Mutex<[Part]>([])

    func part(_ record: PartRecord) {
        let part = Part(captureNs: record.captureNs, latencyNs: record.latencyNs, rejected: record.verdict != .pass,
                        loaded: loaded.load(ordering: .relaxed), warmUp: warmUp.load(ordering: .relaxed))
        parts.withLock { $0.append(part) }
    }

    func status(_ report: StatusReport) {}
    func event(_ event: ServiceEvent, atNs: UInt64) {}

    var recorded: [Part] { parts.withLock { $0 } }

    static func absDiff(_ a: UInt64, _ b: UInt64) -> UInt64 { a > b ? a - b : b - a }

    /// Per phase: latency p50/p99 and the reject pulses' start minus (capture + delay), matched in
    /// order to the rejected parts.
    static func report(_ all: [Part], pulses: [UInt64], delayNs: UInt64, clients: Int, load: HMILoad, seconds: Double) -> [String] {
        // Each pulse belongs to the part whose capture + delay is nearest (the verdict's or the
        // fail-safe policy's: the line I/O times both from the capture).
        let due = all.map { $0.captureNs &+ delayNs }
        var errors: (none: [Double], loaded: [Double]) = ([], [])
        for pulse in pulses {
            guard let nearest = due.indices.min(by: { Self.absDiff(due[$0], pulse) < Self.absDiff(due[$1], pulse) }) else { continue }
            let error = (Double(pulse) - Double(due[nearest])) / 1e6
            if all[nearest].warmUp { continue }
            if all[nearest].loaded { errors.loaded.append(error) } else { errors.none.append(error) }
        }
        func quantile(_ xs: [Double], _ q: Double) -> Double {
            guard !xs.isEmpty else { return .nan }
            let s = xs.sorted()
            return s[min(s.count - 1, Int((Double(s.count - 1) * q).rounded()))]
        }
        func line(_ name: String, _ subset: [Part], _ pulseErrors: [Double]) -> (String, Double) {
            let latencies = subset.compactMap(\.latencyNs).map { Double($0) / 1e6 }
            let p99 = quantile(latencies, 0.99)
            return ("  \(name): \(subset.count) parts, latency p50 \(fixed(quantile(latencies, 0.5), 2)) ms, p99 \(fixed(p99, 2)) ms;"
                    + " reject pulse start - (capture + delay): median \(fixed(quantile(pulseErrors, 0.5), 3)) ms, p99 \(fixed(quantile(pulseErrors, 0.99), 3)) ms, max \(fixed(pulseErrors.max() ?? .nan, 3)) ms (\(pulseErrors.count) pulses)", p99)
        }
        let parts = all.filter { !$0.warmUp }
        let none = line("no HMI clients", parts.filter { !$0.loaded }, errors.none)
        let loaded = line("\(clients) HMI clients", parts.filter(\.loaded), errors.loaded)
        let answered = load.answered.load(ordering: .relaxed), failed = load.failed.load(ordering: .relaxed)
        return [
            "hmi load: \(clients) clients polling like the page (state 4/s, live pictures 2/s, archive 2.5/s, scores 0.5/s each, a new connection per request), in alternating phases of one run (the first phase, warm-up, left out)",
            none.0, loaded.0,
            "  p99 with clients / without: \(fixed(loaded.1 / none.1, 3)); HMI requests answered \(answered) (\(fixed(Double(answered) / max(seconds / 2, 1), 0))/s while on), failed \(failed)",
        ]
    }
}
