import Foundation
import SlotDomain

extension ReplyBody {
    /// The reply a mutation's outcome shows: the one way it is written, whether it was just decided or is kept
    /// under an idempotency key (decision 0018). `zone` is the resource's, which a rules reply carries.
    public init(_ reply: StoredReply, resourceZone zone: TimeZone) {
        self.init(reply) { _ in zone }
    }

    /// As above, for a reply that may name several resources (a batch's): `zoneOf` gives each one's zone.
    public init(_ reply: StoredReply, zoneOf: (ResourceID) -> TimeZone) {
        let zone = zoneOf(reply.resource)
        switch reply {
        case .booking(let summary):
            self = .booking(summary)
        case .resource(let settings):
            self = .resource(settings)
        case .rules(let outcome):
            self = .rules(
                RulesReply(rules: outcome.rules, zone: zone, affected: outcome.affected, addedBlock: outcome.addedBlock)
            )
        case .series(let outcome):
            self = .series(outcome.series, bookings: outcome.bookings, skipped: outcome.skipped)
        case .waitlist(let outcome):
            self = .waitlistEntry(
                WaitlistView(entry: outcome.entry, position: outcome.position, booking: outcome.booking))
        case .group(let outcome):
            self = .group(outcome)
        case .batch(_, let results):
            self = .batch(
                results.map { BatchResult(id: nil, reply: .success(ReplyBody($0, zoneOf: zoneOf)), zone: nil) })
        }
    }
}
