import Testing

@testable import SlotDomain

/// `AppliedEntry.events`: what each journal entry announces, derived by the apply path, and the same on replay.
@Suite struct ChangeEventTests {
    let start = Instant(secondsSinceEpoch: 1_800_000_000 - 1_800_000_000 % 86_400)  // a UTC midnight in 2027
    let roomA = ResourceID(stored: "acme|room-a")!
    let roomB = ResourceID(stored: "acme|room-b")!

    func at(_ seconds: Int64) -> Instant { start.adding(seconds: seconds) }

    func range(hour: Int64) -> TimeRange {
        TimeRange(start: at(hour * 3_600), end: at(hour * 3_600 + 1_800))
    }

    func held(_ sequence: UInt64, hour: Int64, _ customer: String, at seconds: Int64, confirmed: Bool = false)
        -> ScheduleEvent
    {
        .held(
            HeldEvent(
                sequence: sequence, range: range(hour: hour), customer: customer,
                expiresAt: confirmed ? nil : at(seconds + 600), confirmed: confirmed, actor: "desk", at: at(seconds),
                idempotency: nil))
    }

    func moved(_ sequence: UInt64, to state: BookingState, at seconds: Int64, hour: Int64? = nil) -> ScheduleEvent {
        .transitioned(
            TransitionEvent(
                sequence: sequence, to: state, actor: "desk", at: at(seconds), newRange: hour.map { range(hour: $0) }))
    }

    func group(held sequences: (UInt64, UInt64), hour: Int64, at seconds: Int64) -> JournalEntry {
        let membership = GroupMembership(members: [
            BookingID(resource: roomA, sequence: sequences.0), BookingID(resource: roomB, sequence: sequences.1),
        ])
        let parts = [(roomA, sequences.0), (roomB, sequences.1)].map { resource, sequence in
            let event = HeldEvent(
                sequence: sequence, range: range(hour: hour), customer: "team", expiresAt: at(seconds + 600),
                confirmed: false, actor: "desk", at: at(seconds), idempotency: nil, group: membership)
            return (resource: resource, event: ScheduleEvent.held(event))
        }
        return .atomic(AtomicEntry(parts: parts, remembered: nil))
    }

    func groupMove(_ state: BookingState, hour: Int64? = nil, at seconds: Int64) -> JournalEntry {
        let parts = [(roomA, UInt64(5)), (roomB, UInt64(1))].map { resource, sequence in
            (resource: resource, event: moved(sequence, to: state, at: seconds, hour: hour))
        }
        return .atomic(AtomicEntry(parts: parts, remembered: nil))
    }

    /// A day on two rooms that makes every kind of event once or more.
    var day: [JournalEntry] {
        let settings = [roomA, roomB].map { ResourceSettings(id: $0, timeZoneIdentifier: "Europe/Paris") }
        return settings.map { .resourceCreated($0, at: start, idempotency: nil) } + [
            .schedule(roomA, held(1, hour: 10, "ann", at: 60)),
            .schedule(roomA, moved(1, to: .confirmed, at: 120)),
            .schedule(roomA, moved(1, to: .rescheduled, at: 180, hour: 11)),
            .schedule(roomA, held(2, hour: 12, "bob", at: 240, confirmed: true)),
            .schedule(roomA, moved(1, to: .completed, at: 300)),
            .schedule(roomA, moved(2, to: .noShow, at: 360)),
            .schedule(roomA, held(3, hour: 13, "cy", at: 420)),
            .schedule(
                roomA,
                .waitlistJoined(
                    WaitlistJoinedEvent(number: 1, range: range(hour: 13), customer: "dee", actor: "dee", at: at(480)))),
            .schedule(roomA, .expiriesNoticed(ExpiriesNoticedEvent(at: at(1_100)))),
            .schedule(roomA, moved(4, to: .canceled, at: 1_200)),
            .schedule(
                roomA,
                .rulesChanged(
                    RulesChangedEvent(
                        change: .limits(minNoticeMinutes: 0, maxBookingsPerDay: 9), actor: "ops", at: at(1_300)))),
            group(held: (5, 1), hour: 15, at: 1_400),
            groupMove(.confirmed, at: 1_900),
            groupMove(.rescheduled, hour: 16, at: 1_950),
            groupMove(.canceled, at: 2_000),
            .tokenCreated(
                TokenRecord(
                    id: TokenID(number: 1), name: "ops", role: .operator, tenant: nil, customer: nil,
                    createdAt: at(2_100), expiresAt: nil, secretHash: [1, 2, 3])),
            .customerErased(CustomerErasure(customer: "ann", tenant: roomA.tenant, at: at(2_200))),
        ]
    }

    /// Applies `entries` to an empty state; the events of each entry.
    static func replay(_ entries: [JournalEntry]) throws -> [ChangeEvents] {
        var state = ServerState(limits: .standard)
        return try entries.enumerated().map { offset, entry in
            try state.apply(entry, sequence: UInt64(offset + 1)).events
        }
    }

    @Test func everyKindComesFromARealisticDay() throws {
        let perEntry = try Self.replay(day)
        let kinds: [[ChangeEvent.Kind]] = perEntry.map { $0.map(\.kind) }
        #expect(
            kinds == [
                [.resourceCreated], [.resourceCreated], [.bookingHeld], [.bookingConfirmed], [.bookingRescheduled],
                [.bookingConfirmed], [.bookingCompleted], [.bookingNoShow], [.bookingHeld], [],
                [.bookingExpired, .waitlistPromoted], [.bookingCanceled], [.resourceRulesChanged],
                [.bookingHeld, .bookingHeld, .groupHeld], [.bookingConfirmed, .bookingConfirmed, .groupConfirmed],
                [.bookingRescheduled, .bookingRescheduled, .groupRescheduled],
                [.bookingCanceled, .bookingCanceled, .groupCanceled], [], [],
            ])
        let every = Set(perEntry.joined().map(\.kind))
        // Reminders come from their own clock-driven entries, and calendar conflicts from pulls of a linked
        // calendar (`ExternalBusyTests`), not from a day of requests.
        #expect(every == Set(ChangeEvent.Kind.allCases).subtracting([.bookingReminder, .calendarConflict]))
        #expect(perEntry.joined().allSatisfy { $0.resource.tenant == roomA.tenant })
    }

    @Test func payloadsSayWhatChangedAndWhen() throws {
        let perEntry = try Self.replay(day)
        let rescheduled = perEntry[4][0]
        #expect(rescheduled.at == at(180))
        #expect(rescheduled.booking?.range == range(hour: 11))
        #expect(rescheduled.previous == ChangeEvent.Previous(range: range(hour: 10), state: .confirmed))
        let booked = perEntry[5][0]
        #expect(booked.previous == nil, "a booking confirmed at once is new")
        #expect(booked.booking?.customer == "bob")
        let expired = perEntry[10][0]
        #expect(expired.at == at(1_020), "at the hold's own expiry, not when it was noticed")
        #expect(expired.booking?.id == BookingID(resource: roomA, sequence: 3))
        #expect(expired.previous?.state == .pendingConfirmation)
        let promoted = perEntry[10][1]
        #expect(promoted.at == at(1_100))
        #expect(promoted.waitlistEntry == WaitlistEntryID(resource: roomA, number: 1))
        #expect(promoted.booking?.customer == "dee")
        #expect(promoted.booking?.state == .pendingConfirmation)
        #expect(perEntry[12][0].ruleChange == .limits(minNoticeMinutes: 0, maxBookingsPerDay: 9))
        #expect(perEntry[0][0].settings?.timeZoneIdentifier == "Europe/Paris")
    }

    @Test func anAtomicGroupChangeAnnouncesEachMemberThenTheGroup() throws {
        let confirmed = try Self.replay(day)[14]
        let lead = BookingID(resource: roomA, sequence: 5)
        #expect(confirmed.prefix(2).map { $0.booking?.id } == [lead, BookingID(resource: roomB, sequence: 1)])
        #expect(confirmed.prefix(2).allSatisfy { $0.previous?.state == .pendingConfirmation })
        let summary = confirmed[2]
        #expect(summary.group == GroupID(lead: lead))
        #expect(summary.resource == roomA)
        #expect(summary.booking == nil)
        #expect(summary.members.map(\.state) == [.confirmed, .confirmed])
        #expect(summary.members.map(\.id) == confirmed.prefix(2).compactMap { $0.booking?.id })
        let rescheduled = try Self.replay(day)[15]
        #expect(rescheduled.prefix(2).allSatisfy { $0.previous?.range == range(hour: 15) })
        #expect(rescheduled[2].members.map(\.range) == [range(hour: 16), range(hour: 16)])
    }

    @Test func aBatchThatHoldsAndConfirmsAGroupAnnouncesBothChanges() throws {
        var entries = Array(day.prefix(2))
        guard case .atomic(let hold) = group(held: (1, 1), hour: 9, at: 60) else {
            Issue.record("a group hold is atomic")
            return
        }
        let confirms = [(roomA, moved(1, to: .confirmed, at: 60)), (roomB, moved(1, to: .confirmed, at: 60))]
        entries.append(.atomic(AtomicEntry(parts: hold.parts + confirms.map { ($0, $1) }, remembered: nil)))
        let kinds = try #require(try Self.replay(entries).last).map(\.kind)
        #expect(
            kinds == [
                .bookingHeld, .bookingHeld, .bookingConfirmed, .bookingConfirmed, .groupHeld, .groupConfirmed,
            ])
    }

    @Test func oneEventIsKeptInlineAndManyInOrder() {
        let events = (0..<3).map {
            ChangeEvent(kind: .resourceCreated, at: at(Int64($0)), resource: roomA, zone: TimeZones.zone("UTC"))
        }
        #expect(ChangeEvents().isEmpty)
        #expect(ChangeEvents(events.prefix(1)).map(\.at) == [at(0)])
        #expect(ChangeEvents(events).map(\.at) == [at(0), at(1), at(2)])
        #expect(ChangeEvents(events) != ChangeEvents(events.prefix(2)))
    }

    @Test func holdsAnErasureExpiredAreAnnouncedWithTheResourcesNextEntry() throws {
        var entries = Array(day.prefix(3))  // both rooms, ann's hold on room A expiring at 660
        entries.append(.customerErased(CustomerErasure(customer: "zed", tenant: roomA.tenant, at: at(700))))
        entries.append(.schedule(roomA, held(2, hour: 14, "eve", at: 800)))
        let perEntry = try Self.replay(entries)
        #expect(perEntry[3].isEmpty, "an erasure is not announced")
        #expect(perEntry[4].map(\.kind) == [.bookingExpired, .bookingHeld])
        #expect(perEntry[4].first?.at == at(660))
    }

    @Test func replayingTheDayYieldsTheSameEvents() throws {
        #expect(try Self.replay(day) == Self.replay(day))
    }
}
