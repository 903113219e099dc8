import CMosquitto

/// One libmosquitto client (`ls_mqtt` of the CMosquitto shim), driven by the publisher thread
/// alone: it calls `loop` itself, and libmosquitto's callbacks become polled state.
/// Owns the C handle and frees it in deinit.
final class MQTTClient {
    private let handle: OpaquePointer

    struct Failure: Error, CustomStringConvertible {
        let operation: String
        let code: Int32
        var description: String { "\(operation): \(reason)" }
        /// libmosquitto's text for the code alone (the same whichever call met the problem).
        var reason: String { String(cString: ls_mqtt_error_text(code)) }
    }

    init(clientID: String) throws(Failure) {
        guard let handle = ls_mqtt_new(clientID) else { throw Failure(operation: "mosquitto_new", code: 1) }
        self.handle = handle
    }

    deinit { ls_mqtt_destroy(handle) }

    private func check(_ operation: String, _ code: Int32) throws(Failure) {
        if code != 0 { throw Failure(operation: operation, code: code) }
    }

    func setCredentials(username: String, password: String?) throws(Failure) {
        try check("credentials", ls_mqtt_set_credentials(handle, username, password))
    }

    func setTLS(caFile: String, certFile: String?, keyFile: String?) throws(Failure) {
        try check("TLS set-up (ca_file \(caFile))", ls_mqtt_set_tls(handle, caFile, certFile, keyFile))
    }

    func setWill(topic: String, payload: [UInt8], qos: Int, retain: Bool) throws(Failure) {
        try check("will", ls_mqtt_set_will(handle, topic, payload, Int32(payload.count), Int32(qos), retain))
    }

    func connect(host: String, port: Int, keepAlive: Int) throws(Failure) {
        try check("connect to \(host):\(port)", ls_mqtt_connect(handle, host, Int32(port), Int32(keepAlive)))
    }

    func disconnect() { _ = ls_mqtt_disconnect(handle) }

    /// Network traffic and callbacks for up to `timeoutMs`; a failure means the connection is gone.
    func loop(timeoutMs: Int) throws(Failure) { try check("network", ls_mqtt_loop(handle, Int32(timeoutMs))) }

    /// The message id of the publish.
    func publish(topic: String, payload: [UInt8], qos: Int, retain: Bool) throws(Failure) -> Int32 {
        var mid: Int32 = 0
        try check("publish", ls_mqtt_publish(handle, &mid, topic, payload, Int32(payload.count), Int32(qos), retain))
        return mid
    }

    var isConnected: Bool { ls_mqtt_connected(handle) }
    /// The CONNACK code (0 accepted), nil before one came.
    var connack: Int32? { let code = ls_mqtt_last_connack(handle); return code < 0 ? nil : code }
    static func connackText(_ code: Int32) -> String { String(cString: ls_mqtt_connack_text(code)) }

    func takeDisconnect() -> Bool { ls_mqtt_take_disconnect(handle, nil) }

    func takeAcks() -> [Int32] {
        var mids = [Int32](repeating: 0, count: 256)
        var all: [Int32] = []
        while true {
            let n = mids.withUnsafeMutableBufferPointer { ls_mqtt_take_acks(handle, $0.baseAddress, 256) }
            all += mids[0..<Int(n)]
            if n < 256 { return all }
        }
    }
}
