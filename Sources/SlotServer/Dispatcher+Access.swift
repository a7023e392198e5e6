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
    var customer: String? { token?.role == .client ? token?.customer : nil }
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
    /// gets the very refusal a missing one gets, so it learns nothing about them.
    private func customerRefusal(_ operation: Operation, customer: String) async -> WireError? {
        switch operation {
        case .getBooking(let booking), .transition(let booking, _, _, _), .cancelSeries(let booking, _, _, _, _):
            guard await directory.actor(booking.resource)?.customer(ofBooking: booking.sequence) == customer else {
                return WireError(Target.booking(booking).notFoundRejection)
            }
        case .getGroup(let group), .groupTransition(let group, _, _, _):
            let lead = group.lead
            guard await directory.actor(lead.resource)?.customer(ofBooking: lead.sequence) == customer else {
                return Self.noGroup(group)
            }
        case .waitlistStatus(let entry), .waitlistLeave(let entry, _, _):
            guard await directory.actor(entry.resource)?.customer(ofWaitlistEntry: entry.number) == customer else {
                return WireError(Rejection(.notFound, "no waitlist entry \(entry)", field: "entry"))
            }
        default:
            break
        }
        return nil
    }

    /// What a client bound to a customer may see of a reply listing several customers' bookings or entries.
    func restricted(_ outcome: Outcome, to customer: String?) -> Outcome {
        guard let customer, case .success(let body) = outcome.reply else { return outcome }
        switch body {
        case .bookings(let bookings, let truncated):
            let own = bookings.filter { $0.booking.customer == customer }
            return Outcome(reply: .success(.bookings(own, truncated: truncated)), awaitedSequence: outcome.awaitedSequence)
        case .waitlist(let entries):
            let own = entries.filter { $0.entry.customer == customer }
            return Outcome(reply: .success(.waitlist(own)), awaitedSequence: outcome.awaitedSequence)
        default:
            return outcome
        }
    }

    /// `restricted` for each result of an atomic batch.
    func restrictedResults(_ outcome: Outcome, to customer: String?) -> Outcome {
        guard customer != nil, case .success(.batch(var results)) = outcome.reply else { return outcome }
        for index in results.indices {
            let one = restricted(Outcome(reply: results[index].reply, awaitedSequence: 0), to: customer)
            results[index].reply = one.reply
        }
        return Outcome(reply: .success(.batch(results)), awaitedSequence: outcome.awaitedSequence)
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
            }, journal: directory.journal)
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
        guard let (record, sequence) = directory.tokens.revoke(id, at: directory.clock.now(), journal: directory.journal)
        else {
            return .refused(Rejection(.notFound, "no token \(id)", field: "token"), awaitedSequence: 0)
        }
        return Outcome(reply: .success(.token(record, secret: nil)), awaitedSequence: sequence)
    }
}
