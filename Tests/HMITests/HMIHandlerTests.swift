import Configuration
import Logging
import Platform
import RejectArchive
import Service
import Testing
@testable import HMI

private let token = "secret-token-0123"

private func server(token: String? = token, rate: Int = 1000, archive: RejectArchive? = nil) -> (HMIServer, ServiceRequests) {
    let requests = ServiceRequests()
    let settings = HMISettings(host: "127.0.0.1", port: 1, requestsPerSecond: rate, bodyLimitBytes: 64)
    return (HMIServer(settings: settings, token: token, archive: archive, requests: requests, actions: nil, logger: Logger(label: "test")),
            requests)
}

private func get(_ path: String) -> HTTPRequest { HTTPRequest(method: "GET", path: Array(path.utf8)) }

private func post(_ action: String, token: String?, body: String = "") -> HTTPRequest {
    HTTPRequest(method: "POST", path: Array("/api/action/\(action)".utf8), token: token.map { Array($0.utf8) }, body: Array(body.utf8))
}

@Suite struct TokenCheckTests {
    @Test func onlyTheExactTokenMatches() {
        let expected = Array(token.utf8)
        #expect(TokenCheck.matches(expected, expected))
        for wrong in ["", "secret", token + "x", String(token.dropLast()) + "4", token.uppercased()] {
            #expect(!TokenCheck.matches(Array(wrong.utf8), expected), "\(wrong)")
        }
        #expect(!TokenCheck.matches([], []))  // no configured token never matches
    }
}

@Suite struct HMIHandlerTests {
    @Test func withoutAConfiguredTokenEveryActionIsRefusedAsReadOnly() {
        let (hmi, requests) = server(token: nil)
        for action in ["calibrate", "cancel", "rollback", "threshold"] {
            #expect(hmi.respond(post(action, token: token)).status == 403)
        }
        #expect(requests.take().isEmpty)
    }

    @Test func aWrongOrMissingTokenIsRefusedAndNothingReachesTheService() {
        let (hmi, requests) = server()
        #expect(hmi.respond(post("calibrate", token: nil)).status == 401)
        #expect(hmi.respond(post("calibrate", token: "secret-token-0124")).status == 401)
        #expect(hmi.respond(post("calibrate", token: token + token)).status == 401)
        #expect(requests.take().isEmpty)
    }

    @Test func theRightTokenSendsTheRequestToTheServiceNotTheOutputs() {
        let (hmi, requests) = server()
        #expect(hmi.respond(post("calibrate", token: token)).status == 200)
        #expect(hmi.respond(post("cancel", token: token)).status == 200)
        let taken = requests.take()
        #expect(taken.count == 2)
        if case .startCalibration = taken.first {} else { Issue.record("first request is \(String(describing: taken.first))") }
        if case .cancelCalibration = taken.last {} else { Issue.record("last request is \(String(describing: taken.last))") }
    }

    @Test func aThresholdOutsideTheModelsBoundsIsRefused() {
        let (hmi, requests) = server()
        hmi.model(ModelInUse(modelID: "abc", threshold: 2, acceptedThresholds: 1.5...15, heldOutScores: [1, 1.2, 1.5], facts: [:]))
        #expect(hmi.respond(post("threshold", token: token, body: "value=0.5")).status == 409)  // no model store in this test
        #expect(HMIHandler.number(Array("value=1.25".utf8)) == 1.25)
        #expect(HMIHandler.number(Array("2e1\n".utf8)) == 20)
        for bad in ["", "value=", "value=nan", "value=inf", "1;rm", "value=\u{FF}1", String(repeating: "1", count: 40), "0x10"] {
            #expect(HMIHandler.number(Array(bad.utf8)) == nil, "\(bad)")
        }
        #expect(requests.take().isEmpty)
    }

    @Test func onlyGETAndPOSTAreAnswered() {
        let (hmi, _) = server()
        for method in ["PUT", "DELETE", "TRACE", "OPTIONS", "CONNECT", "PATCH", "get", "BREW"] {
            #expect(hmi.respond(HTTPRequest(method: method, path: Array("/".utf8))).status == 405, "\(method)")
        }
        #expect(hmi.respond(get("/")).status == 200)
        #expect(hmi.respond(HTTPRequest(method: "HEAD", path: Array("/".utf8))).status == 200)
    }

    @Test func pathsOutsideTheRoutesAndTheArchiveAreNotFound() {
        let (hmi, _) = server()
        for path in ["/archive/../../../etc/passwd", "/archive/1/../../../etc/passwd", "/archive/..%2F..%2Fetc/region.jpg",
                     "/archive/-1/region.jpg", "/archive/0000000000001/region.jpg", "/archive/1/other.jpg", "/archive/1/region.jpg/x",
                     "//etc/passwd", "/api/../api/state", "/app.js/", "/index.html/.."] {
            #expect(hmi.respond(get(path)).status == 404, "\(path)")
        }
        for path in ["relative", "", "/with space", "/caf\u{E9}", "/\u{7F}"] {
            #expect(hmi.respond(get(path)).status == 400, "\(path)")
        }
        #expect(hmi.respond(HTTPRequest(method: "GET", path: [0x2F, 0xC3, 0x28])).status == 400)  // invalid UTF-8
        #expect(hmi.respond(get("/" + String(repeating: "a", count: 300))).status == 400)
    }

    @Test func tooManyHeadersAndTooLargeABodyAreRefused() {
        let (hmi, requests) = server()
        #expect(hmi.respond(HTTPRequest(method: "GET", path: Array("/".utf8), headerCount: 65)).status == 431)
        #expect(hmi.respond(HTTPRequest(method: "POST", path: Array("/api/action/calibrate".utf8), token: Array(token.utf8),
                                        bodyTooLarge: true)).status == 413)
        #expect(requests.take().isEmpty)
    }

    @Test func aClientAskingTooFastGets429OthersDoNot() {
        let (hmi, _) = server(rate: 5)
        let statuses = (0..<30).map { _ in hmi.respond(get("/api/state")).status }
        #expect(statuses.prefix(10).allSatisfy { $0 == 200 })
        #expect(statuses.suffix(10).allSatisfy { $0 == 429 })
        #expect(hmi.respond(HTTPRequest(method: "GET", path: Array("/api/state".utf8), client: "10.0.0.2")).status == 200)
    }

    @Test func theStateShowsTheServicesCountersModelAndLight() throws {
        let (hmi, _) = server()
        var counters = ServiceCounters()
        counters.frames = 40
        counters.passes = 30
        counters.rejects = 10
        hmi.status(StatusReport(state: "inspecting", detail: "inspecting", counters: counters, latencyP50Ms: 12.34, latencyP99Ms: 40,
                                framesPerSecond: 9.5, cameraFramesPerSecond: 10, threshold: 2, modelPath: "/m", uptimeSeconds: 5,
                                cameraReconnects: 0, cameraFailures: 0))
        hmi.model(ModelInUse(modelID: "0123abcd", threshold: 2, acceptedThresholds: 1...10, heldOutScores: [1], facts: [:]))
        let response = hmi.respond(get("/api/state"))
        let json = try JSON.parse(response.body)
        #expect(json["counters"]?["parts"]?.intValue == 40)
        #expect(json["yield_percent"]?.doubleValue == 75)
        #expect(json["light"]?.stringValue == "steady on (ready)")
        #expect(json["model"]?["id"]?.stringValue == "0123abcd")
        #expect(json["latency_p50_ms"]?.doubleValue == 12.3)
        #expect(json["actions"]?.stringValue == "token")
    }

    @Test func thePageAndItsScriptAreServedFromTheBinary() {
        let (hmi, _) = server()
        let page = hmi.respond(get("/"))
        #expect(page.contentType.hasPrefix("text/html"))
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(html.contains("/app.js") && !html.contains("http://") && !html.contains("https://"))
        let script = String(decoding: hmi.respond(get("/app.js")).body, as: UTF8.self)
        #expect(script.contains("/api/state") && !script.contains("https://"))
    }
}
