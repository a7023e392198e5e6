import NIOHTTP1
import SlotAuth
import SlotDomain
import SlotJournal

/// What the side port answers: `/health`, `/ready` and `/metrics` (docs/OPERATIONS.md, "Monitoring").
struct HTTPRoutes: Sendable {
    let metrics: ServerMetrics
    let readiness: Readiness
    let journal: Journal
    let connections: ConnectionCounter
    let directory: ResourceDirectory
    /// `ServerConfiguration.requiresAuthentication`: `/metrics` then needs an operator's bearer token.
    let requiresAuthentication: Bool

    /// Tokens of this role and above may read `/metrics` when authentication is required: the same role as `stats`.
    static let metricsRoleMin = Role.operator

    func reply(to head: HTTPRequestHead) async -> HTTPReply {
        if let refusal = Self.methodRefusal(head) { return refusal }
        switch Self.path(of: head) {
        case "/health": return Self.json(.ok, #"{"status":"ok"}"#)
        case "/ready": return ready()
        case "/metrics": return metricsReply(head.headers)
        default: return .text(.notFound, "not found: /health, /ready and /metrics are served\n")
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
        if requiresAuthentication, let refusal = refusal(headers) { return refusal }
        return HTTPReply(
            status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8",
            body: metrics.exposition(connections: connections.current, journal: journal))
    }

    /// Nil when the request carries the bearer secret of a usable token of `metricsRoleMin` or above.
    private func refusal(_ headers: HTTPHeaders) -> HTTPReply? {
        let bearer = "Bearer "
        guard let authorization = headers.first(name: "Authorization"), authorization.hasPrefix(bearer) else {
            return Self.unauthenticated("send Authorization: Bearer <secret> of an operator or admin token")
        }
        let secret = String(authorization.dropFirst(bearer.count))
        guard TokenSecret.isWellFormed(secret),
            let token = directory.tokens.token(withSecretHash: TokenSecret.hash(of: secret)),
            token.isUsable(at: directory.clock.now())
        else {
            return Self.unauthenticated("the token is not valid: unknown, revoked or expired")
        }
        guard token.role >= Self.metricsRoleMin else {
            return Self.json(
                .forbidden, #"{"error":"forbidden","message":"metrics need a token of role operator or admin"}"#)
        }
        return nil
    }

    private static func unauthenticated(_ message: String) -> HTTPReply {
        var reply = json(.unauthorized, #"{"error":"unauthenticated","message":"\#(message)"}"#)
        reply.headers.append(("WWW-Authenticate", #"Bearer realm="slotd""#))
        return reply
    }

    private static func notReady(_ reason: String) -> HTTPReply {
        json(.serviceUnavailable, #"{"status":"not_ready","reason":"\#(reason)"}"#)
    }

    private static func json(_ status: HTTPResponseStatus, _ text: String) -> HTTPReply {
        HTTPReply(status: status, contentType: "application/json", body: Array((text + "\n").utf8))
    }
}
