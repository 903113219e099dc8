import Backbone
import Configuration
import HMI
import Inspection
import Logging
import RejectArchive
import Service

/// Starts the operator's web page when the configuration (or the demo) asks for one.
enum HMISetup {
    static func start(_ settings: HMISettings?, token: String? = nil, archive: RejectArchive?, core: ServiceCore,
                      backbone: Int8Backbone, requests: ServiceRequests, logger: Logger) throws -> HMIServer? {
        guard let settings else { return nil }
        let token = try token ?? HMIServer.token(for: settings)
        let actions = ModelActions(store: core.store, expectation: ModelFile.Expectation(backbone))
        let server = HMIServer(settings: settings, token: token, archive: archive, requests: requests, actions: actions, logger: logger)
        let port = try server.start()
        logger.notice("hmi: http://\(settings.host):\(port)/ (\(token == nil ? "read-only: no [hmi] token" : "actions need the token"))")
        return server
    }
}
