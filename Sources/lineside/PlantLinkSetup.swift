import Configuration
import Logging
import PlantLink

/// Starts the plant link (MQTT) when the configuration has one; parses `--mqtt HOST:PORT`.
enum PlantLinkSetup {
    static func start(_ settings: MQTTSettings?, logger: Logger) throws -> MQTTPublisher? {
        guard let settings else { return nil }
        logger.notice("mqtt: publishing to \(settings.host):\(settings.port) under \(settings.topicPrefix)/ (queue \(settings.queueFolder))")
        return try MQTTPublisher(settings: settings, logger: logger)  // a FileError names the queue folder
    }

    /// "HOST:PORT" or "[IPv6]:PORT"; the host printable ASCII, at most 253 bytes; the port 1...65535.
    static func parseAddress(_ text: String) throws(UsageError) -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":") else { throw UsageError("--mqtt wants HOST:PORT, got \"\(text)\"") }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let portText = text[text.index(after: colon)...]
        guard let port = Int(portText), (1...65_535).contains(port), portText.allSatisfy(\.isASCII) else {
            throw UsageError("--mqtt: the port must be 1...65535, got \"\(portText)\"")
        }
        guard !host.isEmpty, host.utf8.count <= 253, host.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw UsageError("--mqtt: the host must be 1 to 253 printable characters without spaces")
        }
        return (host, port)
    }
}
