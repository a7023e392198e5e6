import Logging
import NIOCore
import SlotAuth
import SlotDomain
import SlotWire

/// Who is on the other end of one connection: the token it authenticated with (at most once), the scope its
/// requests are decoded in, and how many times it gave a wrong secret.
struct ConnectionSession: Sendable {
    /// The client's IP address, for the log; empty for an in-process connection.
    let address: String
    /// The same, as rate limits count it.
    let clientAddress: ClientAddress
    private(set) var token: TokenRecord?
    private(set) var scope = RequestScope.anonymous
    private(set) var failedAuths = 0
    /// Once a connection has authenticated it keeps needing a token, even where others do not: a revoked token
    /// must not fall back to what an unauthenticated connection may do.
    private(set) var mustAuthenticate = false
    /// The connection's change stream, from `subscribe` to `unsubscribe` or the connection's end.
    var subscription: Subscription?
    /// The connection itself, which a subscriber cut off for lagging is closed through; nil in process.
    var channel: (any Channel)?
    /// `TokenRegistry.revocationCount` when the token was last checked.
    private var revocationsSeen: UInt64 = 0

    init(address: String, clientAddress: ClientAddress) {
        self.address = address
        self.clientAddress = clientAddress
    }

    var principal: Principal { Principal(token: token) }

    mutating func authenticated(as token: TokenRecord, revocationsSeen: UInt64) {
        self.token = token
        self.scope = RequestScope(token: token)
        self.mustAuthenticate = true
        self.revocationsSeen = revocationsSeen
    }

    mutating func failedAuth() { failedAuths += 1 }

    /// Whether the token still stands at `now`: looked up again only when some token was revoked since the last
    /// look, so a revocation takes effect at the next request without a lookup on every request. On false the
    /// connection is unauthenticated again.
    mutating func tokenStands(in registry: TokenRegistry, clock: any WallClock) -> Bool {
        guard let token else { return true }
        let revocations = registry.revocationCount
        if revocations != revocationsSeen {
            revocationsSeen = revocations
            if registry.token(token.id)?.revokedAt != nil { return dropToken() }
        }
        if let expiresAt = token.expiresAt, clock.now() >= expiresAt { return dropToken() }
        return true
    }

    private mutating func dropToken() -> Bool {
        token = nil
        scope = .anonymous
        return false
    }
}

extension ConnectionHandler {
    /// What happens before a decoded request is dispatched: `auth` itself, and the refusal of everything else on a
    /// connection that has no valid token where one is needed. Nil: dispatch it.
    func gate(_ request: Request, session: inout ConnectionSession, logger: Logger) -> PendingReply? {
        let tokens = dispatcher.directory.tokens
        // First, so that an `auth` right after a revocation authenticates anew.
        let stood = session.tokenStands(in: tokens, clock: dispatcher.directory.clock)
        if case .auth(let secret) = request.operation {
            let nowNanoseconds = NIODeadline.now().uptimeNanoseconds
            if let wait = authThrottle.beginAttempt(from: session.clientAddress, nowNanoseconds: nowNanoseconds) {
                return rateLimited(
                    request.id, scope: "auth", wait: wait,
                    "too many failed auth attempts from this address; the secret was not checked")
            }
            return authenticate(
                secret, id: request.id, session: &session, nowNanoseconds: nowNanoseconds, logger: logger)
        }
        if session.token != nil || AccessPolicy.requiredRole(request.operation) == nil {
            return admit(request, session: session)
        }
        if !stood {
            return refuse(
                request.id, .unauthenticated,
                "the token this connection authenticated with was revoked or has expired; authenticate again")
        }
        if requiresAuthentication || session.mustAuthenticate {
            return refuse(
                request.id, .unauthenticated,
                "authenticate first: send {\"op\":\"auth\",\"token\":\"<secret>\"}")
        }
        return admit(request, session: session)
    }

    /// The rate limits' say on a request about to be dispatched.
    /// The clock is read only when some limit applies: on loopback without a limited token, nothing is.
    private func admit(_ request: Request, session: ConnectionSession) -> PendingReply? {
        guard rateLimiter.limitsAddress(session.clientAddress) || session.token.map(rateLimiter.limitsToken) == true,
            let refusal = rateLimiter.admit(
                address: session.clientAddress, token: session.token,
                nowNanoseconds: NIODeadline.now().uptimeNanoseconds)
        else { return nil }
        let whose = refusal.scope == .token ? "this token" : "this client address"
        return rateLimited(
            request.id, scope: refusal.scope.rawValue, wait: refusal.retryAfter,
            "too many requests from \(whose); retry after retry_after_ms")
    }

    private func rateLimited(_ id: RequestID, scope: String, wait: RetryAfter, _ message: String) -> PendingReply {
        let error = WireError(
            .rateLimited, message, details: ["retry_after_ms": String(wait.milliseconds), "scope": scope])
        return .failure(id: id, error, awaitedSequence: 0)
    }

    private func authenticate(
        _ secret: String, id: RequestID, session: inout ConnectionSession, nowNanoseconds: UInt64, logger: Logger
    ) -> PendingReply {
        guard session.token == nil else {
            return refuse(id, .forbidden, "this connection has authenticated already; open another to change token")
        }
        let tokens = dispatcher.directory.tokens
        let now = dispatcher.directory.clock.now()
        let revocations = tokens.revocationCount
        guard TokenSecret.isWellFormed(secret), let token = tokens.token(withSecretHash: TokenSecret.hash(of: secret)),
            token.isUsable(at: now)
        else {
            session.failedAuth()
            let closing = session.failedAuths >= configuration.rateLimits.authFailuresPerConnectionMax
            if closing { metrics?.refusals.count(.authFailures) }
            logger.notice(
                "authentication failed",
                metadata: ["peer": .string(session.address), "failures": "\(session.failedAuths)"])
            var reply = refuse(
                id, .unauthenticated,
                "the token is not valid: unknown, revoked or expired"
                    + (closing ? "; too many failures, closing the connection" : ""))
            reply.closeAfter = closing
            return reply
        }
        authThrottle.succeeded(from: session.clientAddress, nowNanoseconds: nowNanoseconds)
        session.authenticated(as: token, revocationsSeen: revocations)
        logger.info(
            "authenticated", metadata: ["token.id": "\(token.id)", "token.name": .string(token.name)])
        return PendingReply(
            bytes: ReplyEncoder.success(id: id, .principal(token)) ?? [], awaitedSequence: 0)
    }

    private func refuse(_ id: RequestID, _ code: WireCode, _ message: String) -> PendingReply {
        .failure(id: id, WireError(code, message), awaitedSequence: 0)
    }
}
