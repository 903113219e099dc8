import Testing
@testable import Configuration

@Suite struct OperatorConfigTests {
    private func parse(_ extra: String) throws -> LinesideConfiguration {
        try LinesideConfiguration.parse(text: validConfiguration + "\n" + extra, path: "op.conf")
    }

    private func refusal(_ extra: String) -> String? {
        do { _ = try parse(extra); return nil } catch { return "\(error)" }
    }

    @Test func theArchiveIsOnBesideTheModelAndTheHMIOffByDefault() throws {
        let configuration = try parse("")
        let archive = try #require(configuration.service.archive)
        #expect(archive.folder == "/var/lib/lineside/rejects")
        #expect(archive.maxRecords == 2000 && archive.maxBytes == 200_000_000 && archive.everyNthPass == 100)
        #expect(configuration.service.hmi == nil)
    }

    @Test func theArchiveFollowsTheModelFolderAndItsOwnKeys() throws {
        let moved = try parse("").service.archive
        #expect(moved != nil)
        let archive = try #require(try parse("[archive]\nmax_records = 50\nmax_mb = 7\nevery_nth_pass = 0\nfolder = \"/data/rejects\"").service.archive)
        #expect(archive.folder == "/data/rejects" && archive.maxRecords == 50 && archive.maxBytes == 7_000_000 && archive.everyNthPass == 0)
        #expect(try parse("[archive]\nenabled = false").service.archive == nil)
    }

    @Test func theHMIListensWhereItIsToldWithItsLimits() throws {
        let hmi = try #require(try parse("[hmi]\nlisten = \"0.0.0.0:8080\"\ntoken = \"abcdefghijkl\"\nbody_limit_kb = 2").service.hmi)
        #expect(hmi.host == "0.0.0.0" && hmi.port == 8080 && hmi.token == "abcdefghijkl" && hmi.bodyLimitBytes == 2048)
        #expect(hmi.headerLimitBytes == 16 * 1024 && hmi.maxConnections == 64 && hmi.requestsPerSecond == 100)
    }

    @Test func badHMIValuesAreOneLineNamingTheKey() {
        for (text, key) in [("[hmi]\nlisten = \"localhost:8080\"", "listen"), ("[hmi]\nlisten = \"1.2.3.4:0\"", "listen"),
                            ("[hmi]\nlisten = \"1.2.3.256:80\"", "listen"), ("[hmi]\nlisten = \"1.2.3.4\"", "listen"),
                            ("[hmi]\nlisten = \"1.2.3.4:80\"\ntoken = \"short\"", "token"),
                            ("[hmi]\nlisten = \"1.2.3.4:80\"\ntoken = \"with a space in it\"", "token"),
                            ("[hmi]\nlisten = \"1.2.3.4:80\"\ntoken = \"abcdefghijkl\"\ntoken_file = \"/etc/t\"", "token_file"),
                            ("[hmi]\ntoken = \"abcdefghijkl\"", "token"),
                            ("[hmi]\nlisten = \"1.2.3.4:80\"\nmax_connections = 0", "max_connections"),
                            ("[archive]\nmax_mb = 0", "max_mb")] {
            let message = refusal(text)
            #expect(message?.contains(key) == true && message?.contains("op.conf") == true, "\(text): \(message ?? "accepted")")
        }
    }
}
