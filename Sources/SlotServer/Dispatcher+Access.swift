import SlotAuth
import SlotDomain
import SlotWire

/// Who sends a request, as the dispatcher checks it: the token a connection authenticated with, or nobody on a
/// server without authentication (which may do everything, as before tokens existed).
public struct Principal: Sendable {
    public var token: TokenRecord?

    public init(token: TokenRecord?) {
        self.token = token
    }

    public static let anonymous = Principal(token: nil)

    /// A client token's customer: it sees and changes only that customer's bookings and waitlist entries.
    var customer: String? { token?.boundCustomer }
    /// Server file paths are for admins (and for everyone on a server without authentication).
    var seesPaths: Bool { token.map { $0.role == .admin } ?? true }
}

extension Dispatcher {
    /// Why `principal` may not send `operation` (its role, or a booking of another customer, which is refused
    /// exactly as a booking that does not exist); nil when it may.
    func refusal(of operation: Operation, by principal: Principal) async -> WireError? {
        if let refusal = AccessPolicy.refusal(operation, token: principal.token) { return refusal }
        guard let customer = principal.customer else { return nil }
        return await customerRefusal(operation, customer: customer)
    }

    /// A client bound to a customer names only that customer's bookings, groups and waitlist entries; another's
    /// gets the very refusal a missing one gets (a missing resource's, when the resource is missing), so it learns
    /// nothing about them. A booking's customer never changes but by erasure, so the answer still holds when the
    /// request runs.
    private func customerRefusal(_ operation: Operation, customer: String) async -> WireError? {
        let owner: (resource: ResourceID, isOwn: (ResourceActor) async -> Bool, refusal: Rejection)
        switch operation {
        case .getBooking(let booking), .transition(let booking, _, _, _):
            owner = (
                booking.resource, { await $0.customer(ofBooking: booking.sequence) == customer },
                Target.booking(booking).notFoundRejection
            )
        case .cancelSeries(let series, _, _, _, _):
            owner = (
                series.resource, { await $0.customer(ofBooking: series.sequence) == customer },
                Rejection(.notFound, "no series \(series)", field: "series")
            )
        case .getGroup(let group), .groupTransition(let group, _, _, _):
            let lead = group.lead
            guard await directory.actor(lead.resource)?.customer(ofBooking: lead.sequence) == customer else {
                return Self.noGroup(group)
            }
            return nil
        case .waitlistStatus(let entry), .waitlistLeave(let entry, _, _):
            owner = (
                entry.resource, { await $0.customer(ofWaitlistEntry: entry.number) == customer },
                Rejection(.notFound, "no waitlist entry \(entry)", field: "entry")
            )
        default:
            return nil
        }
        guard let actor = directory.actor(owner.resource) else {
            return WireError(Target.resource(owner.resource).notFoundRejection)
        }
        return await owner.isOwn(actor) ? nil : WireError(owner.refusal)
    }

    // MARK: Tokens

    func createToken(_ request: TokenRequest) -> Outcome {
        let now = directory.clock.now()
        if let expiresAt = request.expiresAt, expiresAt <= now {
            return .refused(Rejection.invalid("expires_at", "must be in the future"), awaitedSequence: 0)
        }
        let (secret, hash) = TokenSecret.generate()
        let created = directory.tokens.create(
            { id in
                TokenRecord(
                    id: id, name: request.name, role: request.role, tenant: request.tenant,
                    customer: request.customer, createdAt: now, expiresAt: request.expiresAt, secretHash: hash)
            }, tokensMax: directory.limits.tokensMax, journal: directory.journal)
        switch created {
        case .success(let (record, sequence)):
            return Outcome(reply: .success(.token(record, secret: secret)), awaitedSequence: sequence)
        case .failure(let rejection):
            return .refused(rejection, awaitedSequence: 0)
        }
    }

    func listTokens() -> Outcome {
        let tokens = directory.tokens.copy().byID.values.sorted { $0.id < $1.id }
        return Outcome(reply: .success(.tokens(tokens)), awaitedSequence: directory.journal.appendedSequence)
    }

    func revokeToken(_ id: TokenID) -> Outcome {
        switch directory.tokens.revoke(id, at: directory.clock.now(), journal: directory.journal) {
        case .success(let (record, sequence)):
            return Outcome(reply: .success(.token(record, secret: nil)), awaitedSequence: sequence)
        case .failure(let rejection):
            return .refused(rejection, awaitedSequence: 0)
        }
    }
}
