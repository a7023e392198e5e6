import NIOHTTP1
import Synchronization

/// What the HTTP port answers, which changes once: until the runtime is built (the journal replaying) only
/// `/health` has a real answer, and every other path says why the server is not ready; then `HTTPRoutes`. It also
/// joins the port's binding with the runtime's `ListeningReport`, whichever comes first: `slotd` binds the HTTP port
/// before recovery (`SlotStartup`), an in-process runtime binds it after.
final class HTTPSite: Sendable {
    let readiness: Readiness

    private struct State {
        var routes: HTTPRoutes?
        var report: ListeningReport?
        var port: Int?
    }

    private let state = Mutex(State())

    init(readiness: Readiness) {
        self.readiness = readiness
    }

    /// The HTTP port listens on `port`.
    @Sendable func listening(on port: Int) {
        let report = state.withLock { state in
            state.port = port
            return state.report
        }
        report?.http(port)
    }

    /// The runtime is built: from now on `routes` answer, and `report` hears of the HTTP port.
    func serve(_ routes: HTTPRoutes, report: ListeningReport) {
        let port = state.withLock { state in
            state.routes = routes
            state.report = report
            return state.port
        }
        readiness.recovered()
        if let port { report.http(port) }
    }

    func reply(to head: HTTPRequestHead) async -> HTTPReply {
        guard let routes = state.withLock({ $0.routes }) else {
            return HTTPRoutes.beforeRecovery(to: head, readiness: readiness.current)
        }
        return await routes.reply(to: head)
    }
}
