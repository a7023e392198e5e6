import NIOHTTP1
import SlotDomain
import SlotWire

/// The operator page (`GET /`) and the JSON it reads (`GET /api/overview`, `GET /api/day`): docs/OPERATIONS.md,
/// "Operator page". Everything here is read on request, from the same sources as `stats` and `list_bookings`;
/// nothing is counted on the TCP port's path for it.
struct OperatorRoutes: Sendable {
    let dispatcher: Dispatcher
    let live: LiveSamples
    let access: HTTPAccess
    /// `ServerConfiguration.HTTP.busiestResourcesMax`.
    let busiestMax: Int
    /// `ServerConfiguration.replyBytesMax`: a day's bookings are written until the reply would pass it.
    let replyBytesMax: Int

    /// The reply to a request for `/` or under `/api/`; nil for any other path.
    func reply(to head: HTTPRequestHead) async -> HTTPReply? {
        let parts = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts.first ?? ""
        guard path == "/" || path.hasPrefix("/api/") else { return nil }
        let principal: Principal
        switch access.admit(head.headers, challenge: .basic, what: "the operator page and its API") {
        case .refused(let reply): return reply
        case .admitted(let admitted): principal = admitted
        }
        let query = parts.count > 1 ? parts[1] : ""
        do throws(APIError) {
            switch path {
            case "/":
                _ = try QueryParameters(query, allowed: ["resource", "date", "tenant"])
                return OperatorPage.reply
            case "/api/overview":
                return try await overview(QueryParameters(query, allowed: ["tenant"]), as: principal)
            case "/api/day":
                return try await day(QueryParameters(query, allowed: ["resource", "date", "tenant"]), as: principal)
            default:
                throw APIError(
                    .notFound, code: "not_found", "no such endpoint: /api/overview and /api/day are served")
            }
        } catch {
            return error.reply
        }
    }

    private func overview(_ query: QueryParameters, as principal: Principal) async throws(APIError) -> HTTPReply {
        let tenant = try Self.tenant(query, of: principal)
        let (counted, busiest) = await dispatcher.statsAndBusiest(tenant: tenant, busiestMax: busiestMax)
        var stats = counted
        if !principal.seesPaths { stats.lastSnapshot = stats.lastSnapshot?.withoutDirectory }
        let overview = OperatorOverview(
            stats: stats, tenant: tenant, busiest: busiest, busiestMax: busiestMax,
            samples: live.recent(seconds: LiveSamples.secondsKept))
        var writer = JSONWriter(capacity: 65_536)
        overview.write(to: &writer)
        return HTTPReply(status: .ok, contentType: "application/json", body: writer.bytes + [UInt8(ascii: "\n")])
    }

    private func day(_ query: QueryParameters, as principal: Principal) async throws(APIError) -> HTTPReply {
        let tenant = try Self.tenant(query, of: principal)
        let limits = dispatcher.directory.limits
        guard let name = query["resource"] else {
            throw APIError(.badRequest, code: "invalid_request", "resource is required", field: "resource")
        }
        guard let client = ResourceID(name, limits: limits) else {
            throw APIError(
                .badRequest, code: "invalid_request",
                "resource must be 1 to \(limits.resourceIDMaxLength) characters from A-Z a-z 0-9 . _ : -",
                field: "resource")
        }
        var date: LocalDate?
        if let text = query["date"] {
            guard let parsed = LocalDate(parsing: text) else {
                throw APIError(
                    .badRequest, code: "invalid_request", "date must be a date such as 2026-12-24 (YYYY-MM-DD)",
                    field: "date")
            }
            date = parsed
        }
        let view = try await dispatcher.day(of: client.inTenant(tenant), date: date)
        var writer = JSONWriter(capacity: 4_096, bytesMax: replyBytesMax)
        view.write(to: &writer)
        guard !writer.isOverLimit else {
            throw APIError(
                .internalServerError, code: "reply_too_large",
                "the day's bookings do not fit in \(replyBytesMax) bytes (replyBytesMax)")
        }
        return HTTPReply(status: .ok, contentType: "application/json", body: writer.bytes + [UInt8(ascii: "\n")])
    }

    /// The tenant a request is about: a token bound to a tenant sees only its own (naming another is refused);
    /// any other principal sees the one `tenant=` names, or resources in no tenant (the whole server, for the
    /// overview) without it.
    static func tenant(_ query: QueryParameters, of principal: Principal) throws(APIError) -> TenantID? {
        var named: TenantID?
        if let text = query["tenant"] {
            guard let tenant = TenantID(text) else {
                throw APIError(.badRequest, code: "invalid_request", "tenant is not a valid tenant id", field: "tenant")
            }
            named = tenant
        }
        guard let bound = principal.token?.tenant else { return named }
        if let named, named != bound {
            throw APIError(.forbidden, code: "forbidden", "this token sees only tenant \(bound.rawValue)")
        }
        return bound
    }
}
