import Testing

@testable import SlotDomain

/// `erase_customer`'s step (decision 0022): through `ServerState.apply`, the path replay and live requests share,
/// the customer's text goes from bookings, waitlist entries, kept replies and bound tokens of the tenant, while the
/// bookings keep their time; other customers and other tenants keep theirs.
@Suite struct CustomerErasureTests {
    static let alice = "Alice Example +49 170 1234567"
    let start = Instant(secondsSinceEpoch: 1_800_000_000 - 1_800_000_000 % 86_400)
    let tenant = TenantID("acme")!
    var room: ResourceID { ResourceID("room-1")!.inTenant(tenant) }
    var otherTenantRoom: ResourceID { ResourceID("room-1")!.inTenant(TenantID("globex")!) }

    func range(_ fromMinutes: Int64, _ toMinutes: Int64) -> TimeRange {
        TimeRange(start: start.adding(seconds: fromMinutes * 60), end: start.adding(seconds: toMinutes * 60))
    }

    /// Decides `command` on `resource` and applies it through `ServerState.apply`, as a live actor would.
    @discardableResult
    func hold(_ state: inout ServerState, _ resource: ResourceID, _ command: HoldCommand, sequence: inout UInt64)
        throws -> ScheduleEvent
    {
        guard case .apply(let event) = state.resources[resource]!.schedule.decideHold(command, now: start) else {
            throw CancellationError()
        }
        sequence += 1
        try state.apply(.schedule(resource, event), sequence: sequence)
        return event
    }

    /// A tenant's room with Alice's booking (kept under a key), a canceled one whose reason names her, her
    /// waitlist entry, Bob's booking, and another tenant's booking for a customer of the same name.
    func populated() throws -> (state: ServerState, sequence: UInt64) {
        var state = ServerState(limits: .standard)
        var sequence: UInt64 = 0
        for id in [room, otherTenantRoom] {
            sequence += 1
            let settings = ResourceSettings(id: id, timeZoneIdentifier: "UTC", capacity: 1, holdTTLSeconds: 600)
            try state.apply(.resourceCreated(settings, at: start, idempotency: nil), sequence: sequence)
        }
        let key = IdempotencyStamp(key: "k-alice", fingerprint: "book\u{1F}room-1\u{1F}\(Self.alice)")
        try hold(
            &state, room,
            HoldCommand(range: range(600, 660), customer: Self.alice, confirm: true, idempotency: key),
            sequence: &sequence)
        try hold(
            &state, room, HoldCommand(range: range(660, 720), customer: Self.alice, actor: "agent for \(Self.alice)"),
            sequence: &sequence)
        sequence += 1
        let cancel = TransitionEvent(
            sequence: 2, to: .canceled, actor: Actors.signature(principal: "desk", onBehalfOf: Self.alice), at: start,
            reason: "\(Self.alice) called")
        try state.apply(.schedule(room, .transitioned(cancel)), sequence: sequence)
        try hold(&state, room, HoldCommand(range: range(720, 780), customer: "Bob", confirm: true), sequence: &sequence)
        guard
            case .apply(let joined) = state.resources[room]!.schedule.decideJoin(
                range: range(600, 660), customer: Self.alice, actor: "client", now: start)
        else { throw CancellationError() }
        sequence += 1
        try state.apply(.schedule(room, joined), sequence: sequence)
        try hold(
            &state, otherTenantRoom, HoldCommand(range: range(600, 660), customer: Self.alice, confirm: true),
            sequence: &sequence)
        return (state, sequence)
    }

    @Test func replacesTheCustomersTextAndKeepsTheTime() throws {
        var (state, sequence) = try populated()
        let erasure = CustomerErasure(customer: Self.alice, tenant: tenant, at: start.adding(seconds: 60))
        sequence += 1
        try state.apply(.customerErased(erasure), sequence: sequence)
        let schedule = state.resources[room]!.schedule
        #expect(schedule.booking(1)?.customer == CustomerErasure.placeholder)
        #expect(schedule.booking(2)?.customer == CustomerErasure.placeholder)
        #expect(schedule.booking(3)?.customer == "Bob")
        #expect(schedule.booking(1)?.state == .confirmed, "the booking stays")
        #expect(schedule.waitlist[1]?.customer == CustomerErasure.placeholder)
        let history = schedule.booking(2)!.history
        #expect(history[0].actor == CustomerErasure.placeholder, "a client-supplied actor holding the name")
        #expect(history[1].actor == "token:desk\n", "the principal stays, on_behalf_of goes")
        #expect(history[1].reason == CustomerErasure.placeholder)
        #expect(state.resources[room]!.lastSequence == sequence)
        // Alice's time is still taken.
        guard
            case .reject(let refusal) = schedule.decideHold(
                HoldCommand(range: range(600, 660), customer: "Carol"), now: start.adding(seconds: 60))
        else {
            Issue.record("a hold on an erased booking's time was accepted")
            return
        }
        #expect(refusal.code == .slotUnavailable)
        // Another tenant's customer of the same name is someone else.
        #expect(state.resources[otherTenantRoom]!.schedule.booking(1)?.customer == Self.alice)
        #expect(!"\(schedule.bookings.values)\(schedule.waitlist)".contains("1234567"))
    }

    @Test func keptRepliesLoseTheTextAndTheirKeyNoLongerReplays() throws {
        var (state, sequence) = try populated()
        let bobKey = IdempotencyStamp(key: "k-bob", fingerprint: "hold\u{1F}Bob")
        state.keys.finish(bobKey, reply: .booking(state.resources[room]!.schedule.summary(3)!), at: start)
        sequence += 1
        try state.apply(
            .customerErased(CustomerErasure(customer: Self.alice, tenant: tenant, at: start)), sequence: sequence)
        let records = state.keys.records()
        #expect(!records.contains { "\($0)".contains("1234567") }, "\(records)")
        let alice = IdempotencyStamp(key: "k-alice", fingerprint: "book\u{1F}room-1\u{1F}\(Self.alice)")
        #expect(state.keys.begin(alice, resource: room, now: start) == .conflict, "never decided twice")
        guard case .replay(.booking(let bob)) = state.keys.begin(bobKey, resource: room, now: start) else {
            Issue.record("Bob's key no longer replays")
            return
        }
        #expect(bob.customer == "Bob")
    }

    @Test func boundTokensAreRevokedAndForgetTheCustomer() throws {
        var tokens = TokenTable()
        func token(_ number: UInt64, customer: String?, tenant: TenantID?) -> TokenRecord {
            TokenRecord(
                id: TokenID(number: number), name: "t\(number)", role: .client, tenant: tenant, customer: customer,
                createdAt: start, expiresAt: nil, secretHash: [UInt8](repeating: UInt8(number), count: 32))
        }
        tokens.add(token(1, customer: Self.alice, tenant: tenant))
        tokens.add(token(2, customer: "Bob", tenant: tenant))
        tokens.add(token(3, customer: Self.alice, tenant: TenantID("globex")))
        let at = start.adding(seconds: 5)
        #expect(tokens.erase(CustomerErasure(customer: Self.alice, tenant: tenant, at: at)) == 1)
        #expect(tokens.byID[TokenID(number: 1)].map { $0.customer == nil } == true)
        #expect(tokens.byID[TokenID(number: 1)]?.isUsable(at: at) == false)
        #expect(tokens.byID[TokenID(number: 2)]?.isUsable(at: at) == true)
        #expect(tokens.byID[TokenID(number: 3)]?.customer == Self.alice)
    }

    /// Replay applies the erasure where the live server did: a booking made before it loses the text, one made
    /// after it keeps it, and applying the same entries again gives the same state.
    @Test func orderInTheJournalDecidesWhatIsErased() throws {
        var (state, sequence) = try populated()
        sequence += 1
        try state.apply(
            .customerErased(CustomerErasure(customer: Self.alice, tenant: tenant, at: start)), sequence: sequence)
        try hold(
            &state, room, HoldCommand(range: range(780, 840), customer: Self.alice, confirm: true), sequence: &sequence)
        let schedule = state.resources[room]!.schedule
        #expect(schedule.booking(1)?.customer == CustomerErasure.placeholder)
        #expect(schedule.booking(4)?.customer == Self.alice)
        var again = state
        try again.apply(
            .customerErased(CustomerErasure(customer: "nobody", tenant: tenant, at: start)), sequence: sequence + 1)
        #expect(again.resources[room]!.schedule.bookings == schedule.bookings, "an erasure of nobody changes nothing")
    }
}
