extension ConfigSchema {
    static let mqttKeys: [ConfigKeySpec] = [
        ConfigKeySpec("mqtt", "host", .string, requirement: "required", example: .string("broker.plant.local"),
                      doc: "Broker host name or address (the [mqtt] section turns the plant link on; without it there is none)."),
        ConfigKeySpec("mqtt", "port", .integer(1...65_535), default: .integer(1883),
                      doc: "Broker port (8883 is the usual one with TLS)."),
        ConfigKeySpec("mqtt", "station", .string, default: .string("line1"),
                      doc: "This board's name in topics and messages: letters, digits, '-', '_', '.', 1 to 64 characters."),
        ConfigKeySpec("mqtt", "client_id", .string, example: .string("lineside-line1"),
                      doc: "MQTT client id, 1 to 64 characters; default: lineside-<station>."),
        ConfigKeySpec("mqtt", "topic_prefix", .string, example: .string("lineside/line1"),
                      doc: "Topics are <prefix>/part, /status, /event and /online; no '+', '#' or empty levels; default: lineside/<station>."),
        ConfigKeySpec("mqtt", "qos", .integer(0...2), default: .integer(1),
                      doc: "MQTT quality of service of every message (1: at least once; a message is removed from the queue when the broker acknowledged it)."),
        ConfigKeySpec("mqtt", "keepalive_s", .integer(5...3600), default: .integer(30),
                      doc: "MQTT keep-alive: the broker publishes the will this long (x 1.5) after the board went silent."),
        ConfigKeySpec("mqtt", "username", .string, example: .string("lineside"), doc: "User name for the broker; omit for none."),
        ConfigKeySpec("mqtt", "password", .string, example: .string("secret"),
                      doc: "Password for the broker (keep the file mode 0600)."),
        ConfigKeySpec("mqtt", "ca_file", .path, example: .string("/etc/lineside/mqtt-ca.crt"),
                      doc: "TLS: the CA certificate (PEM) that signed the broker's; setting it turns TLS on, peer verified."),
        ConfigKeySpec("mqtt", "cert_file", .path, example: .string("/etc/lineside/mqtt-client.crt"),
                      doc: "TLS client certificate (PEM), with key_file; needs ca_file."),
        ConfigKeySpec("mqtt", "key_file", .path, example: .string("/etc/lineside/mqtt-client.key"),
                      doc: "TLS client key (PEM, unencrypted), with cert_file."),
        ConfigKeySpec("mqtt", "queue_folder", .path, default: .string("/var/lib/lineside/mqtt-queue"),
                      doc: "Messages wait here, one file per message, until the broker acknowledged them (survives restarts and kill -9)."),
        ConfigKeySpec("mqtt", "queue_max_messages", .integer(10...10_000_000), default: .integer(100_000),
                      doc: "Most messages kept while the broker is away; beyond it the oldest go (counted, reported in the status)."),
        ConfigKeySpec("mqtt", "queue_max_mb", .integer(1...100_000), default: .integer(64),
                      doc: "Most bytes kept in the queue, in MiB; beyond it the oldest go."),
        ConfigKeySpec("mqtt", "status_interval_s", .integer(1...3600), default: .integer(10),
                      doc: "How often a status message is published."),
        ConfigKeySpec("mqtt", "reconnect_initial_ms", .integer(10...60_000), default: .integer(500),
                      doc: "First wait before reconnecting to the broker; doubled after each failed attempt."),
        ConfigKeySpec("mqtt", "reconnect_max_ms", .integer(10...600_000), default: .integer(30_000),
                      doc: "Longest wait between two reconnect attempts (they go on for ever)."),
    ]

    static let driftKeys: [ConfigKeySpec] = [
        ConfigKeySpec("drift", "enabled", .boolean, default: .boolean(true), doc: "Watch good parts for drift."),
        ConfigKeySpec("drift", "reference_parts", .integer(10...100_000), default: .integer(100),
                      doc: "Good parts, from when a model comes into use, that set the reference."),
        ConfigKeySpec("drift", "window", .integer(10...100_000), default: .integer(100),
                      doc: "Good parts in the rolling window compared with the reference."),
        ConfigKeySpec("drift", "score_fraction", .float(0.05...0.95), default: .float(0.5),
                      doc: "Warn when the window's median score has moved this fraction of the way from the reference median to the threshold."),
        ConfigKeySpec("drift", "brightness_band", .float(0.005...0.5), default: .float(0.02),
                      doc: "Warn when the window's mean brightness leaves reference x (1 +- band)."),
        ConfigKeySpec("drift", "contrast_band", .float(0.01...1), default: .float(0.15),
                      doc: "Warn when the window's mean contrast (standard deviation of the grey level) leaves reference x (1 +- band)."),
    ]
}

/// Checks a topic level or id written in the file: printable ASCII without the MQTT wildcards.
enum MQTTNames {
    static func isStation(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F || c == 0x2E
        }
    }

    static func isClientID(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x2B && $0 != 0x23 }
    }

    static func isTopicPrefix(_ text: String) -> Bool {
        guard (1...200).contains(text.utf8.count), !text.hasPrefix("$") else { return false }
        guard text.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x2B && $0 != 0x23 && $0 != 0x7F }) else { return false }
        return !text.split(separator: "/", omittingEmptySubsequences: false).contains { $0.isEmpty }
    }
}

extension ConfigurationBuilder {
    func mqttSettings() throws(ConfigError) -> MQTTSettings? {
        guard sections["mqtt"] != nil else { return nil }
        let mqtt = section("mqtt")
        guard let host = mqtt.optionalString("host") else {
            throw fail(mqtt.line, .missingKey(key: "host", section: "[mqtt]", reason: "required: the broker the plant link publishes to"))
        }
        func invalid(_ key: String, _ text: String) -> ConfigError {
            fail(mqtt.line(of: key), .invalid("[mqtt] \(key) \(text)"))
        }
        guard !host.isEmpty, host.utf8.count <= 253, host.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw invalid("host", "must be a host name or address (1 to 253 printable characters, no spaces)")
        }
        let station = mqtt.string("station")
        guard MQTTNames.isStation(station) else {
            throw invalid("station", "must be 1 to 64 letters, digits, '-', '_' or '.'")
        }
        let clientID = mqtt.optionalString("client_id")
        if let clientID, !MQTTNames.isClientID(clientID) {
            throw invalid("client_id", "must be 1 to 64 printable ASCII characters without spaces, '+' or '#'")
        }
        let prefix = mqtt.optionalString("topic_prefix")
        if let prefix, !MQTTNames.isTopicPrefix(prefix) {
            throw invalid("topic_prefix", "must be 1 to 200 characters without '+', '#', empty levels or a leading '$'")
        }
        for key in ["username", "password"] {
            if let text = mqtt.optionalString(key), text.utf8.count > 256 || text.isEmpty {
                throw invalid(key, "must be 1 to 256 bytes")
            }
        }
        if mqtt.has("password"), !mqtt.has("username") { throw invalid("password", "needs username") }
        if mqtt.has("cert_file") != mqtt.has("key_file") {
            throw invalid(mqtt.has("cert_file") ? "cert_file" : "key_file", "and the other of cert_file/key_file go together")
        }
        if mqtt.has("cert_file"), !mqtt.has("ca_file") { throw invalid("cert_file", "needs ca_file (TLS)") }
        let initial = mqtt.int("reconnect_initial_ms"), maximum = mqtt.int("reconnect_max_ms")
        guard maximum >= initial else {
            throw fail(mqtt.line(of: "reconnect_max_ms"), .outOfRange(key: "reconnect_max_ms", section: "[mqtt]", value: String(maximum),
                                                                      allowed: "at least reconnect_initial_ms = \(initial)"))
        }
        return MQTTSettings(host: host, port: mqtt.int("port"), station: station, clientID: clientID, topicPrefix: prefix,
                            qos: mqtt.int("qos"), keepAliveSeconds: mqtt.int("keepalive_s"),
                            username: mqtt.optionalString("username"), password: mqtt.optionalString("password"),
                            caFile: mqtt.optionalString("ca_file"), certFile: mqtt.optionalString("cert_file"),
                            keyFile: mqtt.optionalString("key_file"), queueFolder: mqtt.string("queue_folder"),
                            queueMaxMessages: mqtt.int("queue_max_messages"), queueMaxBytes: mqtt.int("queue_max_mb") << 20,
                            statusInterval: .seconds(mqtt.int("status_interval_s")),
                            reconnectInitial: .milliseconds(initial), reconnectMax: .milliseconds(maximum))
    }

    func driftSettings() -> DriftSettings {
        let drift = section("drift")
        return DriftSettings(enabled: drift.bool("enabled"), referenceParts: drift.int("reference_parts"), window: drift.int("window"),
                             scoreFraction: drift.double("score_fraction"), brightnessBand: drift.double("brightness_band"),
                             contrastBand: drift.double("contrast_band"))
    }
}
