import Glibc
import Platform
import Testing

/// A child process started with posix_spawn, its stdout and stderr in files.
final class Child {
    let pid: pid_t
    let output: String
    private var reaped = false

    init(_ path: String, _ arguments: [String], output: String) throws {
        self.output = output
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        // The child starts with no blocked signals and default handlers (the test process may block
        // SIGTERM, and a spawned process inherits the mask).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child = pid_t()
        let status = posix_spawn(&child, path, &actions, &attributes, argv, environ)
        guard status == 0 else { throw HarnessError("cannot start \(path): \(String(cString: strerror(status)))") }
        pid = child
    }

    func signal(_ signal: Int32) { if !reaped { kill(pid, signal) } }

    /// Waits for the exit; the status, or nil after `timeout` (then it is killed).
    @discardableResult
    func wait(timeout: Duration = .seconds(30)) -> Int32? {
        guard !reaped else { return nil }
        let deadline = SystemClock.shared.nowNs &+ timeout.nanoseconds
        var status: Int32 = 0
        while SystemClock.shared.nowNs < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { reaped = true; return status }
            SystemClock.shared.sleep(for: .milliseconds(10))
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        reaped = true
        return nil
    }

    var text: String { (try? FileIO.read(output)).map { String(decoding: $0, as: UTF8.self) } ?? "" }

    deinit { if !reaped { kill(pid, SIGKILL); var s: Int32 = 0; waitpid(pid, &s, 0) } }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}

/// Debian's mosquitto, started by the test on 127.0.0.1 on a free port with a config file the
/// test writes (anonymous, or a password file made with mosquitto_passwd, or TLS with a CA made
/// with openssl by the test). Persistence on, so a subscriber's session survives a broker restart.
final class Broker {
    static let binary = "/usr/sbin/mosquitto"
    static let subscribe = "/usr/bin/mosquitto_sub"
    static let passwd = "/usr/bin/mosquitto_passwd"

    /// Says plainly, in the test output, when Debian's mosquitto is not installed.
    static func available() -> Bool {
        for tool in [binary, subscribe, passwd] where access(tool, X_OK) != 0 {
            print("PlantLinkTests: \(tool) is absent: install Debian's mosquitto and mosquitto-clients (tools/setup.sh does); the broker tests cannot run")
            Issue.record("\(tool) is absent (apt-get install mosquitto mosquitto-clients)")
            return false
        }
        return true
    }

    let folder: String
    let port: Int
    var child: Child?
    var configuration: String { folder + "/mosquitto.conf" }
    var log: String { (try? FileIO.read(folder + "/broker.log")).map { String(decoding: $0, as: UTF8.self) } ?? "" }

    /// `extra` lines go into the listener's configuration (password_file, TLS files).
    init(folder: String, port: Int? = nil, extra: [String] = [], anonymous: Bool = true) throws {
        self.folder = folder
        self.port = try port ?? Broker.freePort()
        var lines = ["user root", "persistence true", "persistence_location \(folder)/", "autosave_interval 1",
                     "log_dest file \(folder)/broker.log", "log_type all", "listener \(self.port) 127.0.0.1",
                     "allow_anonymous \(anonymous)", "max_queued_messages 100000", "max_inflight_messages 20"]
        lines += extra
        try FileIO.writeAtomically(Array((lines.joined(separator: "\n") + "\n").utf8), to: configuration)
    }

    func start() throws {
        child = try Child(Broker.binary, ["-c", configuration], output: folder + "/broker.out")
        let deadline = SystemClock.shared.nowNs &+ 10_000_000_000
        while SystemClock.shared.nowNs < deadline {
            if Broker.accepts(port: port) { return }
            SystemClock.shared.sleep(for: .milliseconds(20))
        }
        throw HarnessError("mosquitto did not listen on \(port): \(child?.text ?? "")")
    }

    /// SIGTERM (the broker saves its persistence file) and wait.
    func stop() {
        child?.signal(SIGTERM)
        child?.wait(timeout: .seconds(10))
        child = nil
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Bool in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw HarnessError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// mosquitto_sub with a persistent QoS 1 session, printing "topic payload" lines to a file.
final class Subscriber {
    let child: Child

    init(broker: Broker, topic: String, id: String, extra: [String] = []) throws {
        child = try Child(Broker.subscribe, ["-h", "127.0.0.1", "-p", String(broker.port), "-t", topic, "-q", "1", "-c", "-i", id,
                                             "-v"] + extra,
                          output: broker.folder + "/sub-\(id).out")
        // The broker's log says when the subscription is in place (mosquitto_sub's own debug
        // output is block-buffered in a file).
        let deadline = SystemClock.shared.nowNs &+ 10_000_000_000
        while SystemClock.shared.nowNs < deadline, !broker.log.contains("Received SUBSCRIBE from \(id)") {
            SystemClock.shared.sleep(for: .milliseconds(20))
        }
    }

    /// The messages received on topics ending in `suffix`, as parsed JSON, in arrival order.
    func messages(suffix: String) -> [JSON] {
        child.text.split(separator: "\n").compactMap { line -> JSON? in
            guard !line.hasPrefix("Client "), let space = line.firstIndex(of: " ") else { return nil }
            guard line[..<space].hasSuffix(suffix) else { return nil }
            return try? JSON.parse(String(line[line.index(after: space)...]))
        }
    }

    /// Waits until `count` messages ended in `suffix` (or `timeout`).
    func waitFor(_ count: Int, suffix: String, timeout: Duration) -> [JSON] {
        let deadline = SystemClock.shared.nowNs &+ timeout.nanoseconds
        var got = messages(suffix: suffix)
        while got.count < count, SystemClock.shared.nowNs < deadline {
            SystemClock.shared.sleep(for: .milliseconds(100))
            got = messages(suffix: suffix)
        }
        return got
    }

    func stop() {
        child.signal(SIGTERM); child.wait(timeout: .seconds(5))
    }
}

/// What a run of part messages looked like at the subscriber.
struct Delivery: CustomStringConvertible {
    var received = 0
    var distinct = 0
    var duplicates = 0
    var lost = 0
    var inOrder = true

    /// `expected`: the part numbers sent, in sending order. Duplicates (QoS 1 is at least once:
    /// a message whose PUBACK was lost in an outage is sent again) are counted, not failures.
    init(_ messages: [JSON], expected: [Int]) {
        received = messages.count
        var seen = Set<Int>()
        var lastSeq = -1
        var order: [Int] = []
        for message in messages {
            guard let part = message["part"]?.intValue, let seq = message["seq"]?.intValue else { continue }
            if seen.contains(part) { duplicates += 1; continue }
            seen.insert(part)
            order.append(part)
            if seq <= lastSeq { inOrder = false }
            lastSeq = seq
        }
        distinct = seen.count
        lost = expected.filter { !seen.contains($0) }.count
        if order != expected.filter({ seen.contains($0) }) { inOrder = false }
    }

    var description: String { "received \(received), distinct \(distinct), duplicates \(duplicates), lost \(lost), in order \(inOrder)" }
}

func temporaryFolder(_ name: String) throws -> String { try Directory.makeTemporary(prefix: "plantlink-\(name)") }

/// Runs a command to the end (openssl, mosquitto_passwd); throws with its output on failure.
func runTool(_ path: String, _ arguments: [String], folder: String) throws {
    let child = try Child(path, arguments, output: folder + "/tool.out")
    guard let status = child.wait(timeout: .seconds(60)), status == 0 else {
        throw HarnessError("\(path) \(arguments.joined(separator: " ")) failed: \(child.text)")
    }
}
