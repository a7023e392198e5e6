import SlotClient
import SlotDomain

/// Capacity, computed from the bookings alone (never from the occupancy structure the server decides with).
///
/// The rule (PROTOCOL.md, "Buffers and capacity"; `Occupancy`): a booking fits when no instant of its core is
/// covered by `capacity` padded ranges already, and no instant of its padded range by `capacity` cores. What that
/// leaves true of any set of active bookings, whatever order they came in: at every instant at most `capacity`
/// cores, and an instant with `capacity` cores has no other booking's buffer in it. (Whichever booking covering
/// that instant came last was admitted either with its core there, when fewer than `capacity` padded ranges
/// covered it, or with only its buffer there, when fewer than `capacity` cores did; removals keep both true.)
/// With capacity 1 that is "no booking touches another's buffers".
enum CapacityCheck {
    /// Where `bookings` of a resource with these settings break the rule; empty when they keep it.
    static func violations(settings: ResourceSettings, bookings: [Booking]) -> [String] {
        let before = Int64(settings.bufferBeforeMinutes) * 60
        let after = Int64(settings.bufferAfterMinutes) * 60
        // At each instant where something starts or ends: the change in cores and in padded ranges covering it.
        var changes: [Int64: (cores: Int, padded: Int)] = [:]
        for booking in bookings where booking.state.isActive {
            let range = booking.range
            changes[range.start.secondsSinceEpoch, default: (0, 0)].cores += 1
            changes[range.end.secondsSinceEpoch, default: (0, 0)].cores -= 1
            changes[range.start.secondsSinceEpoch - before, default: (0, 0)].padded += 1
            changes[range.end.secondsSinceEpoch + after, default: (0, 0)].padded -= 1
        }
        var cores = 0
        var padded = 0
        var found: [String] = []
        for instant in changes.keys.sorted() {
            let change = changes[instant] ?? (0, 0)
            cores += change.cores
            padded += change.padded
            let at = RFC3339.format(Instant(secondsSinceEpoch: instant))
            if cores > settings.capacity {
                found.append("\(settings.id) at \(at): \(cores) bookings, capacity \(settings.capacity)")
            } else if cores == settings.capacity && padded > cores {
                found.append(
                    "\(settings.id) at \(at): \(cores) bookings (the capacity) and \(padded - cores) other buffers")
            }
            if found.count >= 5 { break }
        }
        return found
    }

    static func violations(in state: ServerState) -> [String] {
        state.resources.values.sorted { $0.schedule.id < $1.schedule.id }.flatMap { resource in
            violations(settings: resource.schedule.settings, bookings: resource.schedule.bookings.values)
        }
    }
}

/// The changes the server acknowledged: a reply counts once its journal position was durable. After a crash
/// every one of them must be there: each booking as the last acknowledged reply showed it (a hold may have
/// expired since, which needs no journal entry), and each resource created.
struct AcknowledgedLedger {
    struct Change {
        var awaitedSequence: UInt64
        var bookings: [BookingSummary]
        var resource: ResourceID?
    }

    /// Replies sent but whose journal position is not yet known to be durable.
    private(set) var pending: [Change] = []
    private(set) var bookings: [BookingID: BookingSummary] = [:]
    private(set) var resources: Set<ResourceID> = []

    mutating func record(_ change: Change) {
        pending.append(change)
    }

    /// Everything up to `durable` is acknowledged now, in the order the replies were given.
    mutating func durable(through durable: UInt64) {
        let (done, waiting) = (
            pending.filter { $0.awaitedSequence <= durable }, pending.filter { $0.awaitedSequence > durable }
        )
        for change in done {
            for booking in change.bookings { bookings[booking.id] = booking }
            if let resource = change.resource { resources.insert(resource) }
        }
        pending = waiting
    }

    /// At a crash: what was never acknowledged may be lost, and nobody was told otherwise.
    mutating func forgetUnacknowledged() {
        pending = []
    }

    /// Bookings a change not acknowledged may have changed durably: a crash in the middle of a commit can keep
    /// part of a batch that is not atomic. What they were acknowledged as no longer holds.
    mutating func forget(_ ids: Set<BookingID>) {
        for id in ids { bookings[id] = nil }
    }

    /// What `recovered` lacks of the acknowledged changes, at `now` (a hold due by then is expired, noticed or
    /// not).
    func missing(from recovered: ServerState, at now: Instant) -> [String] {
        var found: [String] = []
        for resource in resources.sorted() where recovered.resources[resource] == nil {
            found.append("resource \(resource) was acknowledged and is gone")
        }
        for (id, acknowledged) in bookings.sorted(by: { $0.key.description < $1.key.description }) {
            guard let booking = recovered.resources[id.resource]?.schedule.bookings[id.sequence] else {
                found.append("booking \(id) was acknowledged (\(acknowledged.state.rawValue)) and is gone")
                continue
            }
            var summary = booking.summary
            if summary.state == .pendingConfirmation, let expiresAt = summary.expiresAt, expiresAt <= now {
                summary.state = .expired
            }
            let lapsed = acknowledged.state == .pendingConfirmation && summary.state == .expired
            if summary != acknowledged && !(lapsed && booking.range == acknowledged.range) {
                found.append("booking \(id): acknowledged \(acknowledged), recovered \(booking.summary)")
            }
        }
        return found
    }
}

/// Groups, computed from the bookings alone: a group never becomes partial. Every member exists, carries the same
/// membership on its own resource, and shares the others' range, state and hold expiry. The one difference allowed
/// is attendance (`complete` and `no_show` are per member), and only among members confirmed or rescheduled.
enum GroupCheck {
    static func violations(in state: ServerState, at now: Instant) -> [String] {
        var found: [String] = []
        for resource in state.resources.values.sorted(by: { $0.schedule.id < $1.schedule.id }) {
            for (sequence, membership) in resource.schedule.groups.sorted(by: { $0.key < $1.key }) {
                let id = BookingID(resource: resource.schedule.id, sequence: sequence)
                guard membership.members.contains(id) else {
                    found.append("\(id) carries group \(membership.id), which does not list it")
                    continue
                }
                // Each group once, from its lead.
                guard membership.members[0] == id else { continue }
                found += violations(of: membership, in: state, at: now)
                if found.count >= 5 { return found }
            }
        }
        return found
    }

    private static func violations(of membership: GroupMembership, in state: ServerState, at now: Instant)
        -> [String]
    {
        var members: [Booking] = []
        for member in membership.members {
            guard let schedule = state.resources[member.resource]?.schedule,
                let booking = schedule.bookings[member.sequence]
            else { return ["group \(membership.id): member \(member) is missing"] }
            guard schedule.groups[member.sequence] == membership else {
                return [
                    "group \(membership.id): member \(member) carries \(String(describing: schedule.groups[member.sequence]))"
                ]
            }
            members.append(booking)
        }
        let shown = members.map { "\($0.id) \(effectiveState($0, at: now).rawValue) \($0.range)" }
            .joined(separator: ", ")
        let attended: Set<BookingState> = [.completed, .noShow]
        let states = members.map { effectiveState($0, at: now) }
        let others = states.filter { !attended.contains($0) }
        let uniform =
            Set(others).count <= 1
            && (others.count == states.count || Set(others).isSubset(of: [.confirmed, .rescheduled]))
        var found: [String] = []
        if !uniform { found.append("group \(membership.id) is partial: \(shown)") }
        if Set(members.map(\.range)).count > 1 { found.append("group \(membership.id) is spread: \(shown)") }
        if Set(members.map(\.expiresAt)).count > 1 {
            found.append(
                "group \(membership.id) lapses apart: \(members.map { "\($0.expiresAt.map(RFC3339.format) ?? "-")" })")
        }
        return found
    }

    /// A hold due by `now` is expired, whether or not its resource has noticed yet: resources notice expiries
    /// when they are next asked, one by one.
    private static func effectiveState(_ booking: Booking, at now: Instant) -> BookingState {
        if booking.state == .pendingConfirmation, let expiresAt = booking.expiresAt, expiresAt <= now {
            return .expired
        }
        return booking.state
    }
}
