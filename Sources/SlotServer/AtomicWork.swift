import Foundation
import SlotDomain
import SlotWire

/// How one op's reply is read once the change is applied: from the reply of an event it produced, as it stands
/// already (a read, a change already made), or as a group of members.
enum ReplyRecipe {
    case part(Int)
    case fixed(ReplyBody, stored: StoredReply?)
    case group(GroupID, members: [MemberRecipe])

    enum MemberRecipe {
        case part(Int)
        case unchanged(BookingSummary)
    }
}

/// The decisions of an atomic change (a group op, an atomic batch), made one op after another against copies of
/// the schedules the change holds. Pure: nothing here touches an actor or the journal. A copy is brought up to date
/// with the events decided on its resource only when a later op of the same change needs it, so a group op, which
/// touches each resource once, copies nothing.
struct AtomicWork {
    private var schedules: [ResourceID: ResourceSchedule]
    private var pending: [ResourceID: [ScheduleEvent]] = [:]
    /// Every event decided, in order: the atomic entry's parts.
    private(set) var parts: [(resource: ResourceID, event: ScheduleEvent)] = []
    let now: Instant

    init(schedules: [ResourceID: ResourceSchedule], now: Instant) {
        self.schedules = schedules
        self.now = now
        for id in schedules.keys { self.schedules[id]?.advance(to: now) }
    }

    /// `id`'s schedule with every event decided on it so far applied.
    private mutating func schedule(_ id: ResourceID) -> ResourceSchedule {
        guard var schedule = schedules[id] else { preconditionFailure("\(id) is not held by this change") }
        if let events = pending.removeValue(forKey: id) {
            schedules[id] = nil  // the copy alone holds it while it changes
            for event in events { schedule.apply(.schedule(id, event)) }
            schedules[id] = schedule
        }
        return schedule
    }

    private mutating func add(_ event: ScheduleEvent, on id: ResourceID) -> Int {
        parts.append((id, event))
        pending[id, default: []].append(event)
        return parts.count - 1
    }

    private static func refusal(_ rejection: Rejection, on resource: ResourceID) -> WireError {
        var error = WireError(rejection)
        error.details["resource"] = resource.name
        return error
    }

    /// An op about one resource.
    mutating func decide(_ operation: SlotWire.Operation, on resource: ResourceID) -> Result<ReplyRecipe, WireError> {
        switch schedule(resource).decideStep(operation, now: now) {
        case .change(let event): .success(.part(add(event, on: resource)))
        case .fixed(let body, let stored): .success(.fixed(body, stored: stored))
        case .refused(let rejection): .failure(WireError(rejection))
        }
    }

    /// A `hold` or `book` on every one of `resources`: a group, its members sharing one expiry (the shortest time to
    /// live among them, unless the request gave one). Every member is placed before any is decided on, so a group
    /// refused for one busy member holds nothing anywhere.
    mutating func decideGroupHold(_ resources: [ResourceID], _ request: HoldCommand) -> Result<ReplyRecipe, WireError> {
        let ordered = resources.sorted()
        var command = request
        command.idempotency = nil
        if command.ttlSeconds == nil {
            command.ttlSeconds = ordered.map { schedule($0).settings.holdTTLSeconds }.min()
        }
        let membership = GroupMembership(
            members: ordered.map { BookingID(resource: $0, sequence: schedule($0).lastSequence + 1) })
        var events: [(ResourceID, ScheduleEvent)] = []
        for resource in ordered {
            switch schedule(resource).decideHold(command, now: now) {
            case .apply(.held(var held)):
                held.group = membership
                events.append((resource, .held(held)))
            case .reject(let rejection):
                return .failure(Self.refusal(rejection, on: resource))
            default:
                preconditionFailure("a hold decides a held event or a refusal")
            }
        }
        let members = events.map { ReplyRecipe.MemberRecipe.part(add($0.1, on: $0.0)) }
        return .success(.group(membership.id, members: members))
    }

    /// A pool's `hold` or `book`: the member with the fewest active bookings starting that local day (then the
    /// lowest id) that accepts. When none does, the last refusal names the members tried, in order, as `tried`.
    mutating func decidePoolHold(_ resources: [ResourceID], _ request: HoldCommand) -> Result<ReplyRecipe, WireError> {
        var command = request
        command.idempotency = nil
        let ranked = resources.map { id -> (load: Int, id: ResourceID) in
            let schedule = schedule(id)
            return (schedule.bookingsStarting(on: schedule.localDate(of: command.range.start)), id)
        }.sorted { ($0.load, $0.id) < ($1.load, $1.id) }
        var last: Rejection?
        for (_, resource) in ranked {
            switch schedule(resource).decideHold(command, now: now) {
            case .apply(let event): return .success(.part(add(event, on: resource)))
            case .reject(let rejection): last = rejection
            case .unchanged: preconditionFailure("a hold never leaves a booking unchanged")
            }
        }
        guard var refusal = last.map(WireError.init) else { return .failure(.invalid("pool", "names no resource")) }
        refusal.details["tried"] = ranked.map(\.id.name).joined(separator: ",")
        return .failure(refusal)
    }

    /// `confirm_group`, `cancel_group` or `reschedule_group`: every member, or none.
    mutating func decideGroupChange(
        _ membership: GroupMembership, _ action: BookingAction, actor: String
    ) -> Result<ReplyRecipe, WireError> {
        var decided: [(BookingID, Decision)] = []
        for member in membership.members {
            let decision = schedule(member.resource).decide(
                action, booking: member.sequence, actor: actor, idempotency: nil, now: now,
                asMemberOf: membership.id)
            if case .reject(let rejection) = decision { return .failure(Self.refusal(rejection, on: member.resource)) }
            decided.append((member, decision))
        }
        let members = decided.map { member, decision -> ReplyRecipe.MemberRecipe in
            switch decision {
            case .apply(let event): .part(add(event, on: member.resource))
            case .unchanged(let summary): .unchanged(summary)
            case .reject: preconditionFailure("refusals returned above")
            }
        }
        return .success(.group(membership.id, members: members))
    }

    /// Group `group` as the change has it so far (one made by an earlier op included), when every member's
    /// resource is held by the change; nil otherwise. A group made by an earlier op holds only resources that op
    /// took, so nil means there is no such group.
    mutating func membership(_ group: GroupID) -> GroupMembership? {
        guard schedules[group.lead.resource] != nil,
            let membership = schedule(group.lead.resource).group(of: group.lead.sequence), membership.id == group,
            membership.members.allSatisfy({ schedules[$0.resource] != nil })
        else { return nil }
        return membership
    }

    /// `get_group`: every member as it stands, all read while the change holds them.
    mutating func readGroup(_ membership: GroupMembership) -> ReplyRecipe {
        let members = membership.members.map { member -> BookingSummary in
            guard let summary = schedule(member.resource).summary(member.sequence) else {
                preconditionFailure("group \(membership.id) names a missing booking \(member)")
            }
            return summary
        }
        let outcome = GroupOutcome(id: membership.id, bookings: members)
        return .fixed(.group(outcome), stored: nil)
    }
}

extension ReplyRecipe {
    /// The reply, given each part's reply after applying it; and its stored form, for a keyed change.
    func reply(parts: [StoredReply], zoneOf: (ResourceID) -> TimeZone) -> (body: ReplyBody, stored: StoredReply?) {
        switch self {
        case .part(let index):
            return (ReplyBody(parts[index], zoneOf: zoneOf), parts[index])
        case .fixed(let body, let stored):
            return (body, stored)
        case .group(let id, let members):
            let summaries = members.map { member -> BookingSummary in
                switch member {
                case .unchanged(let summary): return summary
                case .part(let index):
                    guard case .booking(let summary) = parts[index] else {
                        preconditionFailure("a group member's event replies with a booking")
                    }
                    return summary
                }
            }
            let outcome = GroupOutcome(id: id, bookings: summaries)
            return (.group(outcome), .group(outcome))
        }
    }
}

extension ReplyBudget {
    /// A read's answer in an atomic batch is measured when it is decided: one too large refuses the batch before
    /// anything is applied. The replies of changes are small, and are built only after applying.
    mutating func admit(_ recipe: ReplyRecipe, zone: TimeZone?) -> Result<ReplyRecipe, WireError> {
        guard case .fixed(let body, _) = recipe else {
            return admit(.success(.empty), zone: zone).map { _ in recipe }
        }
        return admit(.success(body), zone: zone).map { _ in recipe }
    }
}
