/// [archive]: the reject archive (every rejected part and every Nth passed one, with its pictures).
public struct ArchiveSettings: Sendable, Equatable {
    public var folder: String
    public var maxRecords: Int
    /// Most bytes on disk (records and index), in bytes.
    public var maxBytes: Int
    /// Also archive every Nth passed part (by part number); 0: passed parts are not archived.
    public var everyNthPass: Int
    /// JPEG quality of the archived pictures.
    public var jpegQuality: Int

    public init(folder: String, maxRecords: Int = 2000, maxBytes: Int = 200_000_000, everyNthPass: Int = 100, jpegQuality: Int = 85) {
        self.folder = folder
        self.maxRecords = maxRecords
        self.maxBytes = maxBytes
        self.everyNthPass = everyNthPass
        self.jpegQuality = jpegQuality
    }
}

/// [hmi]: the operator's web page, served by the binary itself (off unless `listen` is set).
public struct HMISettings: Sendable, Equatable {
    /// IPv4 address and port to listen on ("0.0.0.0:8080" for every interface).
    public var host: String
    public var port: Int
    /// The actions' token, written in the file; nil: see `tokenFile`, else read-only.
    public var token: String?
    /// A file holding the token (first line), read at start.
    public var tokenFile: String?
    public var maxConnections: Int
    public var maxConnectionsPerIP: Int
    /// Requests per second per client address (a burst of twice as many is allowed).
    public var requestsPerSecond: Int
    /// The request line and headers together, in bytes (larger: 431).
    public var headerLimitBytes: Int
    /// Largest request body (actions' forms), in bytes (larger: 413).
    public var bodyLimitBytes: Int
    /// A connection idle this long is closed (slow clients).
    public var timeoutSeconds: Int

    public init(host: String, port: Int, token: String? = nil, tokenFile: String? = nil, maxConnections: Int = 64,
                maxConnectionsPerIP: Int = 32, requestsPerSecond: Int = 100, headerLimitBytes: Int = 16_384,
                bodyLimitBytes: Int = 4096, timeoutSeconds: Int = 10) {
        self.host = host
        self.port = port
        self.token = token
        self.tokenFile = tokenFile
        self.maxConnections = maxConnections
        self.maxConnectionsPerIP = maxConnectionsPerIP
        self.requestsPerSecond = requestsPerSecond
        self.headerLimitBytes = headerLimitBytes
        self.bodyLimitBytes = bodyLimitBytes
        self.timeoutSeconds = timeoutSeconds
    }

    /// "ADDRESS:PORT" with a dotted IPv4 address and a port 1...65535 (0 too when allowed: any free port).
    public static func parseListen(_ text: String, allowingAnyPort: Bool = false) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let host = String(text[..<colon]), portText = text[text.index(after: colon)...]
        guard portText.utf8.count <= 5, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let port = Int(portText),
              ((allowingAnyPort ? 0 : 1)...65_535).contains(port) else { return nil }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ o in
            (1...3).contains(o.utf8.count) && o.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) && Int(o)! <= 255
        }) else { return nil }
        return (host, port)
    }
}

extension LinesideConfiguration {
    /// One line for `check-config`: the reject archive and the HMI.
    var operatorSummary: String {
        let archive = service.archive.map {
            "reject archive \($0.folder) (at most \($0.maxRecords) records, \($0.maxBytes / 1_000_000) MB\($0.everyNthPass > 0 ? ", every \($0.everyNthPass)th pass too" : ""))"
        } ?? "reject archive off"
        let hmi = service.hmi.map {
            "HMI on http://\($0.host):\($0.port)/ (\($0.token != nil || $0.tokenFile != nil ? "actions need the token" : "read-only: no token"))"
        } ?? "HMI off (no [hmi] listen)"
        return archive + "; " + hmi
    }
}
