extension ConfigSchema {
    static let archiveKeys: [ConfigKeySpec] = [
        ConfigKeySpec("archive", "enabled", .boolean, default: .boolean(true),
                      doc: "Keep the reject archive (`lineside rejects` lists it; the HMI shows it)."),
        ConfigKeySpec("archive", "folder", .path, example: .string("/var/lib/lineside/rejects"),
                      doc: "Where the records go; default: a folder \"rejects\" beside [model] path (under the unit's ReadWritePaths)."),
        ConfigKeySpec("archive", "max_records", .integer(10...1_000_000), default: .integer(2000),
                      doc: "Most records kept; beyond it the oldest are deleted."),
        ConfigKeySpec("archive", "max_mb", .integer(1...100_000), default: .integer(200),
                      doc: "Most bytes kept (records and index), in MB (1,000,000 bytes); beyond it the oldest are deleted."),
        ConfigKeySpec("archive", "every_nth_pass", .integer(0...1_000_000), default: .integer(100),
                      doc: "Also archive every Nth passed part (by part number), for comparison; 0: rejected parts only."),
        ConfigKeySpec("archive", "jpeg_quality", .integer(30...100), default: .integer(85),
                      doc: "JPEG quality of the archived region and heatmap pictures."),
    ]

    static let hmiKeys: [ConfigKeySpec] = [
        ConfigKeySpec("hmi", "listen", .string, example: .string("0.0.0.0:8080"),
                      doc: "IPv4 ADDRESS:PORT the operator's web page is served on; the HMI is off unless it is set."),
        ConfigKeySpec("hmi", "token", .string, example: .string("change-me-0123456789"),
                      doc: "Token the page's actions need (calibrate, cancel, roll back, threshold), 12 to 256 printable characters; without token or token_file the page is read-only."),
        ConfigKeySpec("hmi", "token_file", .path, example: .string("/etc/lineside/hmi-token"),
                      doc: "A file whose first line is the token (keep it mode 0600); instead of token."),
        ConfigKeySpec("hmi", "max_connections", .integer(1...1024), default: .integer(64),
                      doc: "Most open connections (libmicrohttpd MHD_OPTION_CONNECTION_LIMIT)."),
        ConfigKeySpec("hmi", "max_connections_per_ip", .integer(1...1024), default: .integer(32),
                      doc: "Most open connections from one address (MHD_OPTION_PER_IP_CONNECTION_LIMIT)."),
        ConfigKeySpec("hmi", "requests_per_second", .integer(1...10_000), default: .integer(100),
                      doc: "Requests per second per client address (bursts of twice as many); more get 429."),
        ConfigKeySpec("hmi", "header_limit_kb", .integer(4...1024), default: .integer(16),
                      doc: "Request line and headers together, in KiB (MHD_OPTION_CONNECTION_MEMORY_LIMIT); larger requests are refused."),
        ConfigKeySpec("hmi", "body_limit_kb", .integer(1...1024), default: .integer(4),
                      doc: "Largest request body, in KiB; larger: 413."),
        ConfigKeySpec("hmi", "timeout_s", .integer(1...600), default: .integer(10),
                      doc: "An idle or slow connection is closed after this (MHD_OPTION_CONNECTION_TIMEOUT)."),
    ]
}

extension ConfigurationBuilder {
    func archiveSettings(modelPath: String) -> ArchiveSettings? {
        let archive = section("archive")
        guard archive.bool("enabled") else { return nil }
        let modelFolder = modelPath.lastIndex(of: "/").map { String(modelPath[..<$0]) } ?? "."
        return ArchiveSettings(folder: archive.optionalString("folder") ?? (modelFolder.isEmpty ? "" : modelFolder) + "/rejects",
                               maxRecords: archive.int("max_records"), maxBytes: archive.int("max_mb") * 1_000_000,
                               everyNthPass: archive.int("every_nth_pass"), jpegQuality: archive.int("jpeg_quality"))
    }

    func hmiSettings() throws(ConfigError) -> HMISettings? {
        let hmi = section("hmi")
        guard let listen = hmi.optionalString("listen") else {
            if hmi.has("token") || hmi.has("token_file") {
                throw fail(hmi.line(of: "token"), .invalid("[hmi] token needs listen (the HMI is off without it)"))
            }
            return nil
        }
        guard let (host, port) = HMISettings.parseListen(listen) else {
            throw fail(hmi.line(of: "listen"), .invalid("[hmi] listen must be IPv4 ADDRESS:PORT such as \"0.0.0.0:8080\", got \"\(listen.prefix(60))\""))
        }
        let token = hmi.optionalString("token")
        if let token, !HMISettings.isAcceptableToken(token) {
            throw fail(hmi.line(of: "token"), .invalid("[hmi] token must be 12 to 256 printable ASCII characters without spaces"))
        }
        if token != nil, hmi.has("token_file") {
            throw fail(hmi.line(of: "token_file"), .invalid("[hmi] token and token_file: give one of them"))
        }
        return HMISettings(host: host, port: port, token: token, tokenFile: hmi.optionalString("token_file"),
                           maxConnections: hmi.int("max_connections"), maxConnectionsPerIP: hmi.int("max_connections_per_ip"),
                           requestsPerSecond: hmi.int("requests_per_second"), headerLimitBytes: hmi.int("header_limit_kb") * 1024,
                           bodyLimitBytes: hmi.int("body_limit_kb") * 1024, timeoutSeconds: hmi.int("timeout_s"))
    }
}

extension HMISettings {
    /// 12 to 256 printable ASCII characters, no spaces.
    public static func isAcceptableToken(_ text: String) -> Bool {
        (12...256).contains(text.utf8.count) && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}
