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
        guard head.method == .GET else {
            var reply = HTTPReply.text(.methodNotAllowed, "only GET is served here\n")
            reply.headers.append(("Allow", "GET"))
            return reply
        }
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        switch path {
        case "/health": return Self.json(.ok, #"{"status":"ok"}"#)
        case "/ready": return ready()
        case "/metrics": return metricsReply(head.headers)
        default:
            return await page.reply(to: head)
                ?? .text(.notFound, "not found: /, /api/, /health, /ready and /metrics are served\n")
        }
    }

    /// 200 once the listeners are bound and while the journal writer takes entries; 503 with the reason otherwise.
    func ready() -> HTTPReply {
        switch readiness.current {
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
