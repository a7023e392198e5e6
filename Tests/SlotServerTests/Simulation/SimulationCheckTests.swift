import SlotDomain
import Testing

/// The simulation's checks catch what they are for: hand-made states that break each invariant, and a run whose
/// bookkeeping acknowledges replies before their commit.
@Suite struct SimulationCheckTests {
    static let day = Instant(secondsSinceEpoch: 1_799_020_800)

    static func settings(capacity: Int, before: Int = 0, after: Int = 0) -> ResourceSettings {
        ResourceSettings(
            id: ResourceID(trusted: "room"), timeZoneIdentifier: "UTC", capacity: capacity,
            bufferBeforeMinutes: before, bufferAfterMinutes: after)
    }

    /// A booking of `[from, to)` minutes after `day`.
    static func booking(_ sequence: UInt64, _ from: Int64, _ to: Int64, _ state: BookingState = .confirmed) -> Booking {
        let start = day.adding(seconds: from * 60)
        return Booking(
            id: BookingID(resource: ResourceID(trusted: "room"), sequence: sequence),
            range: TimeRange(start: start, end: day.adding(seconds: to * 60)), customer: "c", state: state,
            expiresAt: nil, history: [Transition(from: nil, to: .pendingConfirmation, actor: "client", at: day)])
    }

    @Test func capacityCountsOverlappingBookingsAndIgnoresInactiveOnes() {
        let two = [Self.booking(1, 0, 60), Self.booking(2, 30, 90)]
        #expect(CapacityCheck.violations(settings: Self.settings(capacity: 2), bookings: two).isEmpty)
        #expect(CapacityCheck.violations(settings: Self.settings(capacity: 1), bookings: two).count == 1)
        let third = Self.booking(3, 45, 60, .canceled)
        #expect(CapacityCheck.violations(settings: Self.settings(capacity: 2), bookings: two + [third]).isEmpty)
        let active = Self.booking(3, 45, 60, .pendingConfirmation)
        #expect(CapacityCheck.violations(settings: Self.settings(capacity: 2), bookings: two + [active]).count == 1)
    }

    /// PROTOCOL.md's examples: with capacity 1 and 15-minute buffers, a booking may not start in another's
    /// buffer, but two buffers may overlap; with capacity 2, an instant with two bookings has no other buffer.
    @Test func buffersFollowTheProtocolsRule() {
        let roomA = Self.settings(capacity: 1, before: 15, after: 15)
        let first = Self.booking(1, 600, 630)
        #expect(!CapacityCheck.violations(settings: roomA, bookings: [first, Self.booking(2, 630, 660)]).isEmpty)
        #expect(CapacityCheck.violations(settings: roomA, bookings: [first, Self.booking(2, 645, 675)]).isEmpty)
        #expect(CapacityCheck.violations(settings: roomA, bookings: [first, Self.booking(2, 555, 585)]).isEmpty)
        let roomB = Self.settings(capacity: 2, after: 15)
        let full = [Self.booking(1, 600, 630), Self.booking(2, 600, 630)]
        #expect(CapacityCheck.violations(settings: roomB, bookings: full + [Self.booking(3, 570, 600)]).count == 1)
        #expect(CapacityCheck.violations(settings: roomB, bookings: full + [Self.booking(3, 645, 660)]).isEmpty)
        // Refused after the other two (its core in two buffers), but admitted before them: a state, not an order.
        #expect(CapacityCheck.violations(settings: roomB, bookings: full + [Self.booking(3, 630, 645)]).isEmpty)
        let half = [Self.booking(1, 600, 630), Self.booking(2, 630, 660)]
        #expect(CapacityCheck.violations(settings: roomB, bookings: half).isEmpty, "one core and one buffer")
    }

    /// A state with one group, `desk/1` and `room/1`, the members as given (state, minutes after `day`, expiry).
    static func group(
        _ desk: (BookingState, Int64, Instant?), _ room: (BookingState, Int64, Instant?)
    ) throws -> ServerState {
        var state = ServerState(limits: .standard)
        let members = [desk, room]
        let ids = ["desk", "room"].map { BookingID(resource: ResourceID(trusted: $0), sequence: 1) }
        let membership = GroupMembership(members: ids)
        for (id, member) in zip(ids, members) {
            let start = day.adding(seconds: member.1 * 60)
            let booking = Booking(
                id: id, range: TimeRange(start: start, end: start.adding(seconds: 3_600)), customer: "c",
                state: member.0, expiresAt: member.2,
                history: [Transition(from: nil, to: .pendingConfirmation, actor: "client", at: day)])
            let settings = ResourceSettings(id: id.resource, timeZoneIdentifier: "UTC", capacity: 1)
            let schedule = try ResourceSchedule(
                restoring: settings, clock: day, lastSequence: 1, bookings: [booking], groups: [1: membership])
            state.restore(ResourceState(schedule: schedule, createdSequence: 1, lastSequence: 2))
        }
        return state
    }

    @Test func aGroupIsUniformButForAttendance() throws {
        let now = Self.day
        let held = Self.day.adding(seconds: 600)
        #expect(
            GroupCheck.violations(in: try Self.group((.confirmed, 600, nil), (.confirmed, 600, nil)), at: now).isEmpty)
        #expect(GroupCheck.violations(in: try Self.group((.completed, 600, nil), (.noShow, 600, nil)), at: now).isEmpty)
        #expect(
            GroupCheck.violations(in: try Self.group((.completed, 600, nil), (.confirmed, 600, nil)), at: now).isEmpty)
        let partial = GroupCheck.violations(in: try Self.group((.confirmed, 600, nil), (.canceled, 600, nil)), at: now)
        #expect(partial.count == 1 && partial[0].contains("partial"))
        let attendedAndCanceled = try Self.group((.completed, 600, nil), (.canceled, 600, nil))
        #expect(GroupCheck.violations(in: attendedAndCanceled, at: now).count == 1)
        let spread = GroupCheck.violations(in: try Self.group((.confirmed, 600, nil), (.confirmed, 660, nil)), at: now)
        #expect(spread.count == 1 && spread[0].contains("spread"))
        let apart = try Self.group((.pendingConfirmation, 600, held), (.pendingConfirmation, 600, now))
        #expect(GroupCheck.violations(in: apart, at: now.adding(seconds: -1)).contains { $0.contains("lapses apart") })
        // One resource noticed the lapse, the other has not yet: the same at any instant past the expiry.
        let lapsing = try Self.group((.expired, 600, held), (.pendingConfirmation, 600, held))
        #expect(GroupCheck.violations(in: lapsing, at: held).isEmpty)
        #expect(!GroupCheck.violations(in: lapsing, at: held.adding(seconds: -1)).isEmpty)
    }

    @Test func theLedgerReportsWhatIsMissingOnlyOnceItWasAcknowledged() {
        var ledger = AcknowledgedLedger()
        let held = Self.booking(1, 0, 60, .pendingConfirmation).summary
        ledger.record(.init(awaitedSequence: 3, bookings: [held], resource: ResourceID(trusted: "room")))
        let empty = ServerState(limits: .standard)
        ledger.durable(through: 2)
        #expect(ledger.missing(from: empty, at: Self.day).isEmpty, "not durable yet: a crash may lose it")
        ledger.durable(through: 3)
        #expect(ledger.missing(from: empty, at: Self.day).count == 2, "the resource and the booking")
        ledger.forgetUnacknowledged()
        #expect(ledger.missing(from: empty, at: Self.day).count == 2, "acknowledged stays acknowledged")
    }

    /// Counting a reply as acknowledged when it is decided, before its commit: the first crash that loses a
    /// change must be reported.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func aRunThatAcknowledgesBeforeCommittingIsCaught(seed: UInt64) async throws {
        let simulator = try Simulator(seed: seed, steps: 1_000)
        simulator.acknowledgesBeforeCommit = true
        await #expect {
            try await simulator.run()
        } throws: { error in
            "\(error)".contains("acknowledged changes lost")
        }
    }
}
