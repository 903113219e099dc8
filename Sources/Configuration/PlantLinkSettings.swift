/// [mqtt]: the plant link (results, status and events to an MQTT broker through libmosquitto).
/// No [mqtt] section: no plant link. Every default is in `ConfigSchema`.
public struct MQTTSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var station: String
    public var clientID: String
    /// Every topic starts with it: `<prefix>/part`, `/status`, `/event`, `/online`.
    public var topicPrefix: String
    public var qos: Int
    public var keepAliveSeconds: Int
    public var username: String?
    public var password: String?
    /// TLS when set: the CA that signed the broker's certificate.
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    /// Messages wait here (one file per message) until the broker acknowledged them.
    public var queueFolder: String
    public var queueMaxMessages: Int
    public var queueMaxBytes: Int
    public var statusInterval: Duration
    public var reconnectInitial: Duration
    public var reconnectMax: Duration

    public init(host: String, port: Int = 1883, station: String = "line1", clientID: String? = nil, topicPrefix: String? = nil,
                qos: Int = 1, keepAliveSeconds: Int = 30, username: String? = nil, password: String? = nil,
                caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil,
                queueFolder: String = "/var/lib/lineside/mqtt-queue", queueMaxMessages: Int = 100_000,
                queueMaxBytes: Int = 64 << 20, statusInterval: Duration = .seconds(10),
                reconnectInitial: Duration = .milliseconds(500), reconnectMax: Duration = .seconds(30)) {
        self.host = host
        self.port = port
        self.station = station
        self.clientID = clientID ?? "lineside-\(station)"
        self.topicPrefix = topicPrefix ?? "lineside/\(station)"
        self.qos = qos
        self.keepAliveSeconds = keepAliveSeconds
        self.username = username
        self.password = password
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.queueFolder = queueFolder
        self.queueMaxMessages = queueMaxMessages
        self.queueMaxBytes = queueMaxBytes
        self.statusInterval = statusInterval
        self.reconnectInitial = reconnectInitial
        self.reconnectMax = reconnectMax
    }
}

/// [drift]: the drift watch on good parts (see `DriftWatch` for the rule).
public struct DriftSettings: Sendable, Equatable {
    public var enabled: Bool
    /// Good parts after a model comes into use that set the reference (median score, brightness, contrast).
    public var referenceParts: Int
    /// Good parts in the rolling window compared with the reference.
    public var window: Int
    /// Warn when the window's median score has moved this fraction of the way from the
    /// reference median to the threshold.
    public var scoreFraction: Double
    /// Warn when the window's mean brightness leaves reference x (1 +- band).
    public var brightnessBand: Double
    /// Warn when the window's mean contrast leaves reference x (1 +- band).
    public var contrastBand: Double

    public init(enabled: Bool = true, referenceParts: Int = 100, window: Int = 100, scoreFraction: Double = 0.5,
                brightnessBand: Double = 0.02, contrastBand: Double = 0.15) {
        self.enabled = enabled
        self.referenceParts = referenceParts
        self.window = window
        self.scoreFraction = scoreFraction
        self.brightnessBand = brightnessBand
        self.contrastBand = contrastBand
    }
}

extension LinesideConfiguration {
    /// One line for `check-config`: where results go, and the drift watch.
    var plantLinkSummary: String {
        let drift = service.drift
        let driftText = drift.enabled
            ? "drift watch: median of \(drift.window) good parts vs the first \(drift.referenceParts), warn at \(drift.scoreFraction) of the way to the threshold or brightness +-\(drift.brightnessBand)"
            : "drift watch off"
        guard let mqtt = service.mqtt else { return "plant link: none; " + driftText }
        return "plant link: mqtt \(mqtt.host):\(mqtt.port)\(mqtt.caFile != nil ? " TLS" : "") as \(mqtt.clientID) under \(mqtt.topicPrefix)/, QoS \(mqtt.qos), queue \(mqtt.queueFolder); " + driftText
    }
}
