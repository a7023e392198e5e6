import Testing

@testable import SlotDomain

/// Random traffic on two resources, decided and applied as a live server does (expiry notice, `advance`, decide,
/// apply), against a replay of the journal it wrote: the events of every entry must be the same, and together
/// with what the live schedules still hold they must end on every booking's final state.
@Suite struct ChangeEventReplayTests {
    static let start = Instant(secondsSinceEpoch: 1_800_000_000 - 1_800_000_000 % 86_400)
    static let rooms = [ResourceID("room-a")!, ResourceID("room-b")!]

    /// A server in miniature: one `ServerState`, the entries it committed and the events each one yielded.
    struct LiveServer {
        var state = ServerState(limits: .standard)
        var journal: [JournalEntry] = []
        var events: [ChangeEvents] = []
        var now = ChangeEventReplayTests.start
        var groups: [GroupMembership] = []

        mutating func commit(_ entry: JournalEntry) throws {
            journal.append(entry)
            events.append(try state.apply(entry, sequence: UInt64(journal.count)).events)
        }

        /// What a resource actor does before deciding: journal an expiry notice if customers wait, then advance.
        mutating func ready(_ id: ResourceID) throws -> ResourceSchedule {
            if let notice = state.resources[id]?.schedule.decideExpiryNotice(now: now) {
                try commit(.schedule(id, notice))
            }
            state.resources[id]?.schedule.advance(to: now)
            return try #require(state.resources[id]?.schedule)
        }

        mutating func commitIfApplied(_ decision: Decision, on id: ResourceID) throws {
            if case .apply(let event) = decision { try commit(.schedule(id, event)) }
        }
    }

    static func range(_ random: inout SplitMix64) -> TimeRange {
        let quarter = Int64(random.next() % 40) + 36  // 09:00 to 18:45 on the first day
        let length = Int64(random.next() % 4 + 1) * 900
        return TimeRange(
            start: start.adding(seconds: quarter * 900), end: start.adding(seconds: quarter * 900 + length))
    }

    static func step(_ live: inout LiveServer, _ random: inout SplitMix64) throws {
        live.now = live.now.adding(seconds: Int64(random.next() % 240))
        let id = rooms[Int(random.next() % 2)]
        let schedule = try live.ready(id)
        let now = live.now
        let booking = schedule.lastSequence == 0 ? 1 : random.next() % schedule.lastSequence + 1
        switch random.next() % 12 {
        case 0, 1, 2:
            let command = HoldCommand(
                range: range(&random), customer: "c\(random.next() % 5)", confirm: random.next() % 3 == 0)
            try live.commitIfApplied(schedule.decideHold(command, now: now), on: id)
        case 3:
            try live.commitIfApplied(
                schedule.decide(.confirm, booking: booking, actor: "a", idempotency: nil, now: now), on: id)
        case 4:
            let action = BookingAction.cancel(reason: nil)
            try live.commitIfApplied(
                schedule.decide(action, booking: booking, actor: "a", idempotency: nil, now: now), on: id)
        case 5:
            let action = BookingAction.reschedule(range(&random))
            try live.commitIfApplied(
                schedule.decide(action, booking: booking, actor: "a", idempotency: nil, now: now), on: id)
        case 6:
            let action: BookingAction = random.next() % 2 == 0 ? .complete : .noShow
            try live.commitIfApplied(
                schedule.decide(action, booking: booking, actor: "a", idempotency: nil, now: now), on: id)
        case 7:
            if case .apply(let event) = schedule.decideJoin(range: range(&random), customer: "w", actor: "w", now: now)
            {
                try live.commit(.schedule(id, event))
            }
        case 8:
            let block = Block(id: UInt64(schedule.rules.blocks.count + 1), range: range(&random), label: "x")
            let change: RuleChange =
                random.next() % 2 == 0 ? .addBlock(block) : .limits(minNoticeMinutes: 0, maxBookingsPerDay: nil)
            try live.commit(.schedule(id, schedule.decide(change, actor: "ops", now: now).event))
        case 9: try groupHold(&live, range: range(&random))
        case 10: try groupChange(&live, &random)
        default: break  // a read: the clock moved, and any expiry waits for the next entry
        }
    }

    /// Both rooms at once, as one atomic entry, when both accept the time.
    static func groupHold(_ live: inout LiveServer, range: TimeRange) throws {
        var helds: [HeldEvent] = []
        for id in rooms {
            guard
                case .apply(.held(let held)) = try live.ready(id).decideHold(
                    HoldCommand(range: range, customer: "team"), now: live.now)
            else { return }
            helds.append(held)
        }
        let membership = GroupMembership(
            members: zip(rooms, helds).map { BookingID(resource: $0, sequence: $1.sequence) })
        let parts = zip(rooms, helds).map { id, held in
            var member = held
            member.group = membership
            return (resource: id, event: ScheduleEvent.held(member))
        }
        try live.commit(.atomic(AtomicEntry(parts: parts, remembered: nil)))
        live.groups.append(membership)
    }

    /// Confirms or cancels a whole group, as one atomic entry, when every member accepts.
    static func groupChange(_ live: inout LiveServer, _ random: inout SplitMix64) throws {
        guard !live.groups.isEmpty else { return }
        let membership = live.groups[Int(random.next() % UInt64(live.groups.count))]
        let action: BookingAction = random.next() % 2 == 0 ? .confirm : .cancel(reason: "plans changed")
        var parts: [(resource: ResourceID, event: ScheduleEvent)] = []
        for member in membership.members {
            guard
                case .apply(let event) = try live.ready(member.resource).decide(
                    action, booking: member.sequence, actor: "a", idempotency: nil, now: live.now,
                    asMemberOf: membership.id)
            else { return }
            parts.append((member.resource, event))
        }
        try live.commit(.atomic(AtomicEntry(parts: parts, remembered: nil)))
    }

    @Test(arguments: [UInt64(1), 2, 3, 0xC0FFEE])
    func liveAndReplayedEventsAgree(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var live = LiveServer()
        for id in Self.rooms {
            let settings = ResourceSettings(id: id, timeZoneIdentifier: "UTC", capacity: 2, holdTTLSeconds: 900)
            try live.commit(.resourceCreated(settings, at: Self.start, idempotency: nil))
        }
        for _ in 0..<600 { try Self.step(&live, &random) }

        var replayed = ServerState(limits: .standard)
        for (offset, entry) in live.journal.enumerated() {
            let events = try replayed.apply(entry, sequence: UInt64(offset + 1)).events
            #expect(events == live.events[offset], "entry \(offset + 1): \(entry)")
        }

        var last: [BookingID: BookingState] = [:]
        var kinds = Set<ChangeEvent.Kind>()
        let pending = Self.rooms.flatMap { live.state.resources[$0]?.schedule.takeChangeEvents() ?? [] }
        for event in Array(live.events.joined()) + pending {
            kinds.insert(event.kind)
            if let booking = event.booking { last[booking.id] = booking.state }
        }
        for id in Self.rooms {
            let schedule = try #require(live.state.resources[id]?.schedule)
            for sequence in 1..<(schedule.lastSequence + 1) {
                let booking = BookingID(resource: id, sequence: sequence)
                #expect(last[booking] == schedule.booking(sequence)?.state, "\(booking) ends as last announced")
            }
        }
        let bookingKinds: Set<ChangeEvent.Kind> = [
            .bookingHeld, .bookingConfirmed, .bookingCanceled, .bookingExpired, .groupHeld, .waitlistPromoted,
        ]
        #expect(bookingKinds.isSubset(of: kinds), "the traffic made every common kind: \(kinds)")
    }
}
