import NIOHTTP1
import SlotAuth
import SlotDomain
import SlotJournal

/// What the side port answers: `/health`, `/ready` and `/metrics`, and the operator page's `/` and `/api/`
/// (`OperatorRoutes`) (docs/OPERATIONS.md, "Monitoring").
struct HTTPRoutes: Sendable {
    let metrics: ServerMetrics
    let readiness: Readiness
    let journal: Journal
    let connections: ConnectionCounter
    let directory: ResourceDirectory
    /// `ServerConfiguration.requiresAuthentication`: `/metrics` then needs an operator's bearer token.
    let requiresAuthentication: Bool
    let page: OperatorRoutes

    func reply(to head: HTTPRequestHead) async -> HTTPReply {
        if let refusal = Self.methodRefusal(head) { return refusal }
        switch Self.path(of: head) {
        case "/health": return Self.json(.ok, #"{"status":"ok"}"#)
        case "/ready": return ready()
        case "/metrics": return metricsReply(head.headers)
        default:
            return await page.reply(to: head)
                ?? .text(.notFound, "not found: /, /api/, /health, /ready and /metrics are served\n")
        }
    }

    /// Until recovery has finished there are no routes yet (`HTTPSite`): `/health` answers 200, since the process
    /// and its event loops do, and every other path 503 with the reason `/ready` gives.
    static func beforeRecovery(to head: HTTPRequestHead, readiness: Readiness.Phase) -> HTTPReply {
        if let refusal = methodRefusal(head) { return refusal }
        if path(of: head) == "/health" { return json(.ok, #"{"status":"ok"}"#) }
        return notReady(readiness == .shuttingDown ? "shutting_down" : "replaying")
    }

    private static func methodRefusal(_ head: HTTPRequestHead) -> HTTPReply? {
        guard head.method != .GET else { return nil }
        var reply = HTTPReply.text(.methodNotAllowed, "only GET is served here\n")
        reply.headers.append(("Allow", "GET"))
        return reply
    }

    private static func path(of head: HTTPRequestHead) -> Substring {
        head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    }

    /// 200 once the listeners are bound and while the journal writer takes entries; 503 with the reason otherwise.
    func ready() -> HTTPReply {
        switch readiness.current {
        case .replaying: return Self.notReady("replaying")
        case .starting: return Self.notReady("starting")
        case .shuttingDown: return Self.notReady("shutting_down")
        case .serving:
            guard journal.isWriting else { return Self.notReady("journal_not_writing") }
            return Self.json(.ok, #"{"status":"ready"}"#)
        }
    }

    private func metricsReply(_ headers: HTTPHeaders) -> HTTPReply {
        let access = HTTPAccess(directory: directory, requiresAuthentication: requiresAuthentication)
        if case .refused(let refusal) = access.admit(headers, challenge: .bearer, what: "metrics") { return refusal }
        return HTTPReply(
            status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8",
            body: metrics.exposition(connections: connections.current, journal: journal))
    }

    private static func notReady(_ reason: String) -> HTTPReply {
        json(.serviceUnavailable, #"{"status":"not_ready","reason":"\#(reason)"}"#)
    }

    private static func json(_ status: HTTPResponseStatus, _ text: String) -> HTTPReply {
        HTTPReply(status: status, contentType: "application/json", body: Array((text + "\n").utf8))
    }
}
