import Foundation
import SlotClient
import SlotDomain
import SlotServer
import SlotTesting
import Testing

/// `idempotency_key` on every mutation (the booking, group and batch ops are in `+Bookings`), over TCP: a retry
/// gets the first reply line again, byte for byte, and appends nothing to the journal, live, after a restart and
/// after a snapshot and a restart; the key with another payload is `idempotency_conflict`; a refused request
/// keeps no key. `IdempotentRetryAcrossRestartTests` runs the same table across kill -9 of a real slotd.
@Suite struct IdempotentMutationTests {
    /// One op under a key: what must exist first, the keyed request, and the same key with another payload.
    struct Case: Sendable, CustomTestStringConvertible {
        var op: String
        var setup: [JSONValue]
        var keyed: JSONValue
        var different: JSONValue
        /// The clock's instant for the setup, when it must be other than `TestServer.epoch`.
        var setupAt: Instant?
        var testDescription: String { op }
    }

    enum Restart: String, Sendable, CaseIterable {
        case none
        case journal
        case snapshot
    }

    static let day = "2027-01-05"
    static let book = Requests.hold("r", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z", op: "book")
    static let series: JSONValue = [
        "op": "book_series", "resource": "r", "start": "2027-01-05T09:00:00Z", "end": "2027-01-05T09:30:00Z",
        "customer": "ann", "rule": ["freq": "daily", "count": 3], "skip_conflicts": true,
    ]

    static func keyed(_ request: JSONValue, _ key: String = "k-1", _ changes: [String: JSONValue] = [:]) -> JSONValue {
        guard case .object(var fields) = request else { preconditionFailure("a request is an object") }
        fields["id"] = "retry"
        fields["idempotency_key"] = .string(key)
        fields.merge(changes) { _, new in new }
        return .object(fields)
    }

    static let cases: [Case] = {
        let weekly: JSONValue = [
            "op": "set_weekly_hours", "resource": "r", "weekly_hours": ["tue": [["09:00", "17:00"]]],
        ]
        let override: JSONValue = ["op": "set_override", "resource": "r", "date": .string(day), "closed": true]
        let clear: JSONValue = ["op": "clear_override", "resource": "r", "date": .string(day)]
        let block: JSONValue = [
            "op": "add_block", "resource": "r", "start": "2027-01-05T12:00:00Z", "end": "2027-01-05T13:00:00Z",
            "label": "lunch",
        ]
        let remove: JSONValue = ["op": "remove_block", "resource": "r", "block": 1]
        let limits: JSONValue = ["op": "set_limits", "resource": "r", "min_notice_minutes": 60]
        let cancelSeries: JSONValue = ["op": "cancel_series", "series": "r/2", "reason": "moved"]
        let join = Requests.hold("r", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z", op: "waitlist_join")
        let leave: JSONValue = ["op": "waitlist_leave", "entry": "r/w1"]
        return [
            Case(
                op: "set_weekly_hours", setup: [], keyed: keyed(weekly),
                different: keyed(weekly, "k-1", ["weekly_hours": ["wed": [["09:00", "17:00"]]]])),
            Case(
                op: "set_override", setup: [], keyed: keyed(override),
                different: keyed(override, "k-1", ["closed": false, "hours": [["09:00", "12:00"]]])),
            Case(
                op: "clear_override", setup: [override], keyed: keyed(clear),
                different: keyed(clear, "k-1", ["date": "2027-01-06"])),
            // Booked first, so that the reply's `affected_bookings` is not empty.
            Case(
                op: "add_block", setup: [Requests.hold("r", "2027-01-05T12:00:00Z", "2027-01-05T12:30:00Z")],
                keyed: keyed(block), different: keyed(block, "k-1", ["label": "meeting"])),
            Case(
                op: "remove_block", setup: [block, block], keyed: keyed(remove),
                different: keyed(remove, "k-1", ["block": 2])),
            Case(
                op: "set_limits", setup: [], keyed: keyed(limits),
                different: keyed(limits, "k-1", ["min_notice_minutes": 30])),
            // The first occurrence's time is booked: the reply lists it as skipped.
            Case(
                op: "book_series", setup: [Requests.hold("r", "2027-01-05T09:00:00Z", "2027-01-05T09:30:00Z")],
                keyed: keyed(series), different: keyed(series, "k-1", ["customer": "bob"])),
            Case(
                op: "cancel_series", setup: [book, series], keyed: keyed(cancelSeries),
                different: keyed(cancelSeries, "k-1", ["reason": "other"])),
            Case(
                op: "waitlist_join", setup: [book], keyed: keyed(join),
                different: keyed(join, "k-1", ["customer": "bob"])),
            Case(
                op: "waitlist_leave", setup: [book, join], keyed: keyed(leave),
                different: keyed(leave, "k-1", ["actor": "desk"])),
            Case(
                op: "create_resource", setup: [], keyed: keyed(Requests.createResource("s")),
                different: keyed(Requests.createResource("s", extra: ["capacity": 2]))),
        ]
    }()

    static func journalSequence(_ client: SlotConnection) async throws -> Int? {
        try await client.call(["op": "stats"])["stats"]?["journal_sequence"]?.int
    }

    static func call(_ client: SlotConnection, _ request: JSONValue) async throws -> String {
        try await client.send(request)
        return try await client.receiveLine()
    }

    @Test(arguments: allCases, Restart.allCases)
    func aRetryGetsTheFirstReplyLineWithoutASecondEffect(_ example: Case, restart: Restart) async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock(example.setupAt ?? TestServer.epoch)
        let (first, sequence) = try await TestServer.run(dataDirectory: directory, clock: clock) { server in
            try await server.connect { client in
                _ = try await client.call(Requests.createResource("r"))
                for request in example.setup { #expect(try await client.call(request)["ok"] == true, "\(request)") }
                let first = try await Self.call(client, example.keyed)
                #expect(try JSONValue.parse(first)["ok"] == true, "\(first)")
                let sequence = try await Self.journalSequence(client)
                switch restart {
                case .none: try await Self.checkRetries(client, example, first: first, sequence: sequence)
                case .journal: break
                case .snapshot: #expect(try await client.call(["op": "snapshot"])["ok"] == true)
                }
                return (first, sequence)
            }
        }
        guard restart != .none else { return }
        try await TestServer.run(dataDirectory: directory, clock: clock) { server in
            try await server.connect { client in
                try await Self.checkRetries(client, example, first: first, sequence: sequence)
            }
        }
    }

    static func checkRetries(_ client: SlotConnection, _ example: Case, first: String, sequence: Int?) async throws {
        #expect(try await call(client, example.keyed) == first)
        #expect(try await journalSequence(client) == sequence, "the retry journaled nothing")
        let conflict = try JSONValue.parse(try await call(client, example.different))
        #expect(conflict.errorCode == "idempotency_conflict", "\(conflict)")
        #expect(try await call(client, example.keyed) == first)
        #expect(try await journalSequence(client) == sequence)
    }

    /// A request refused, or one that changed nothing, keeps no key: the same key then serves another request.
    @Test func aRefusedOrUnchangedRequestKeepsNoKey() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                _ = try await client.call(Requests.createResource("r"))
                _ = try await client.call(Self.book)
                let refusals: [(JSONValue, String)] = [
                    (["op": "remove_block", "resource": "r", "block": 7], "not_found"),
                    (
                        Requests.hold(
                            "r", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z", op: "waitlist_join",
                            extra: ["start": "2027-01-05T10:07:00Z"]), "misaligned"
                    ),
                    (["op": "waitlist_leave", "entry": "r/w9"], "not_found"),
                    (
                        Self.keyed(
                            Self.series, "",
                            [
                                "start": "2027-01-05T10:00:00Z", "end": "2027-01-05T10:30:00Z", "skip_conflicts": false,
                            ]), "series_conflict"
                    ),
                    (["op": "cancel_series", "series": "r/9"], "not_found"),
                    (Requests.createResource("r"), "already_exists"),
                ]
                for (index, (request, code)) in refusals.enumerated() {
                    let reply = try await client.call(Self.keyed(request, "refused-\(index)"))
                    #expect(reply.errorCode == code, "\(reply)")
                    let other = Self.keyed(
                        ["op": "set_limits", "resource": "r", "max_bookings_per_day": .number(Double(index + 10))],
                        "refused-\(index)")
                    #expect(try await client.call(other)["ok"] == true, "the key of \(request) was kept")
                }
                // Changed nothing: the customer's own entry again, and a series with nothing left to cancel.
                let join = Requests.hold("r", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z", op: "waitlist_join")
                _ = try await client.call(join)
                #expect(try await client.call(Self.keyed(join, "again-1"))["entry"]?["id"] == "r/w1")
                #expect(try await client.call(Self.keyed(join, "again-1", ["customer": "bob"]))["ok"] == true)
            }
        }
    }

    /// The key limits apply to these ops as to `hold`: past the resource's limit a new key is `too_many_keys` and
    /// nothing changes, while a kept key still replays and the same request without a key is served.
    @Test func aNewKeyPastTheResourcesLimitIsRefused() async throws {
        let configuration = TestServer.configuration { $0.domainLimits.idempotencyKeysPerResourceMax = 2 }
        try await TestServer.run(configuration: configuration) { server in
            try await server.connect { client in
                _ = try await client.call(Requests.createResource("r"))
                let block: JSONValue = [
                    "op": "add_block", "resource": "r", "start": "2027-01-05T12:00:00Z", "end": "2027-01-05T13:00:00Z",
                ]
                let first = try await Self.call(client, Self.keyed(block, "b-1"))
                _ = try await client.call(Self.keyed(Self.series, "s-1"))
                let sequence = try await Self.journalSequence(client)
                let refused = try await client.call(Self.keyed(block, "b-2"))
                #expect(refused.errorCode == "too_many_keys", "\(refused)")
                #expect(refused["error"]?["scope"] == "resource")
                #expect(try await Self.journalSequence(client) == sequence)
                #expect(try await Self.call(client, Self.keyed(block, "b-1")) == first)
                #expect(try await client.call(block)["block"]?["id"] == 2)
            }
        }
    }
}
