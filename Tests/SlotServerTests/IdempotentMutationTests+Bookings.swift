import SlotClient
import SlotDomain
import SlotTesting
import Testing

/// The booking, group and batch ops under a key, for the same table as the rule, series and waitlist ops.
extension IdempotentMutationTests {
    /// 2026-01-05T08:00:00Z: `complete` and `no_show` need a booking that has started, so their setup books one
    /// starting at this instant on a server whose clock stands there (a booking may start exactly now). It is in
    /// the past for a slotd on the real clock too.
    static let startedAt = Instant(secondsSinceEpoch: 1_767_600_000)

    static let bookingCases: [Case] = {
        let hold = Requests.hold("r", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z", extra: ["ttl_seconds": 3_600])
        let started = Requests.hold("r", "2026-01-05T08:00:00Z", "2026-01-05T08:30:00Z", op: "book")
        let second = Requests.createResource("r2")
        let pair: JSONValue = ["r", "r2"]
        let groupHold = Requests.hold(
            "r", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z", extra: ["resources": pair, "ttl_seconds": 3_600]
        ).removing("resource")
        let groupBook = Requests.hold(
            "r", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z", op: "book", extra: ["resources": pair]
        )
        .removing("resource")
        let pool = Requests.hold("r", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z", extra: ["pool": pair])
            .removing("resource")
        let confirmGroup: JSONValue = ["op": "confirm_group", "group": "r/g1"]
        let cancelGroup: JSONValue = ["op": "cancel_group", "group": "r/g1", "reason": "a"]
        let rescheduleGroup: JSONValue = [
            "op": "reschedule_group", "group": "r/g1", "start": "2027-01-05T12:00:00Z", "end": "2027-01-05T13:00:00Z",
        ]
        let reschedule = Requests.move(
            "reschedule", "r/1", extra: ["start": "2027-01-05T12:00:00Z", "end": "2027-01-05T13:00:00Z"])
        let earlier = Requests.hold("r", "2027-01-05T09:00:00Z", "2027-01-05T09:30:00Z", op: "book")
        func batch(_ customer: String) -> JSONValue {
            [
                "op": "batch", "atomic": true,
                "ops": [
                    Requests.hold("r2", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z", op: "book", customer: customer),
                    Requests.hold("r", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z", op: "book", customer: customer),
                    Requests.move("cancel", "r/1", extra: ["reason": "moved"]),
                ],
            ]
        }
        let paris: [String: JSONValue] = ["tz": "Europe/Paris"]
        let localGroup: JSONValue = [
            "op": "reschedule_group", "group": "r/g1", "start_local": "2027-01-05T13:00",
            "end_local": "2027-01-05T14:00",
            "tz": "Europe/Paris",
        ]
        func zoned(_ batch: JSONValue) -> JSONValue {
            let ops = (batch["ops"]?.array ?? []).enumerated().map { index, op in
                op.merging(["tz": index == 0 ? "Asia/Tokyo" : "America/New_York"])
            }
            return batch.merging(["ops": .array(ops)])
        }
        let bob: [String: JSONValue] = ["customer": "bob"]
        let desk: [String: JSONValue] = ["actor": "desk"]
        return [
            Case(op: "hold", setup: [], keyed: keyed(hold), different: keyed(hold, "k-1", bob)),
            Case(op: "book", setup: [], keyed: keyed(book), different: keyed(book, "k-1", bob)),
            Case(
                op: "confirm", setup: [hold], keyed: keyed(Requests.move("confirm", "r/1")),
                different: keyed(Requests.move("confirm", "r/1"), "k-1", desk)),
            Case(
                op: "cancel", setup: [book], keyed: keyed(Requests.move("cancel", "r/1", extra: ["reason": "a"])),
                different: keyed(Requests.move("cancel", "r/1", extra: ["reason": "b"]))),
            Case(
                op: "reschedule", setup: [book], keyed: keyed(reschedule),
                different: keyed(reschedule, "k-1", ["start": "2027-01-05T13:00:00Z", "end": "2027-01-05T14:00:00Z"])),
            Case(
                op: "complete", setup: [started], keyed: keyed(Requests.move("complete", "r/1")),
                different: keyed(Requests.move("complete", "r/1"), "k-1", desk), setupAt: startedAt),
            Case(
                op: "no_show", setup: [started], keyed: keyed(Requests.move("no_show", "r/1")),
                different: keyed(Requests.move("no_show", "r/1"), "k-1", desk), setupAt: startedAt),
            Case(
                op: "hold resources", setup: [second], keyed: keyed(groupHold),
                different: keyed(groupHold, "k-1", bob)),
            Case(
                op: "book resources", setup: [second], keyed: keyed(groupBook),
                different: keyed(groupBook, "k-1", bob)),
            Case(op: "hold pool", setup: [second], keyed: keyed(pool), different: keyed(pool, "k-1", bob)),
            Case(
                op: "confirm_group", setup: [second, groupHold], keyed: keyed(confirmGroup),
                different: keyed(confirmGroup, "k-1", desk)),
            Case(
                op: "cancel_group", setup: [second, groupBook], keyed: keyed(cancelGroup),
                different: keyed(cancelGroup, "k-1", ["reason": "b"])),
            Case(
                op: "reschedule_group", setup: [second, groupBook], keyed: keyed(rescheduleGroup),
                different: keyed(rescheduleGroup, "k-1", ["end": "2027-01-05T12:30:00Z"])),
            Case(op: "batch", setup: [second, earlier], keyed: keyed(batch("ann")), different: keyed(batch("bob"))),
            // Shown in a zone of the request's own: the replay must show the same local times.
            Case(
                op: "book resources in a zone", setup: [second], keyed: keyed(groupBook, "k-1", paris),
                different: keyed(groupBook, "k-1", paris.merging(bob) { $1 })),
            Case(
                op: "reschedule_group in a zone", setup: [second, groupBook], keyed: keyed(localGroup),
                different: keyed(localGroup, "k-1", ["end_local": "2027-01-05T14:30"])),
            Case(
                op: "batch in zones", setup: [second, earlier], keyed: keyed(zoned(batch("ann"))),
                different: keyed(zoned(batch("bob")))),
        ]
    }()

    static let allCases = cases + bookingCases

    /// As for the other ops, a group op or atomic batch that is refused, or changes nothing, keeps no key.
    @Test func aRefusedOrUnchangedGroupOpOrBatchKeepsNoKey() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                for resource in ["r", "r2"] { _ = try await client.call(Requests.createResource(resource)) }
                _ = try await client.call(Self.book)
                let busy = Requests.hold(
                    "r", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z", op: "book", extra: ["resources": ["r", "r2"]]
                ).removing("resource")
                let free = Requests.hold("r2", "2027-01-05T12:00:00Z", "2027-01-05T13:00:00Z", op: "book")
                let refusals: [(JSONValue, String)] = [
                    (busy, "slot_unavailable"),
                    (busy.removing("resources").merging(["pool": ["r"]]), "slot_unavailable"),
                    (["op": "batch", "atomic": true, "ops": [free, Self.book]], "batch_refused"),
                    (["op": "confirm_group", "group": "r/g9"], "not_found"),
                ]
                for (index, (request, code)) in refusals.enumerated() {
                    let reply = try await client.call(Self.keyed(request, "refused-\(index)"))
                    #expect(reply.errorCode == code, "\(reply)")
                    let other = Self.keyed(
                        ["op": "set_limits", "resource": "r", "max_bookings_per_day": .number(Double(index + 10))],
                        "refused-\(index)")
                    #expect(try await client.call(other)["ok"] == true, "the key of \(request) was kept")
                }
                // Changed nothing: a confirm of a group confirmed already.
                let group = try await client.call(
                    busy.merging(["start": "2027-01-05T14:00:00Z", "end": "2027-01-05T15:00:00Z"]))
                let id = try #require(group["group"]?["id"])
                let confirm: JSONValue = ["op": "confirm_group", "group": id]
                #expect(try await client.call(Self.keyed(confirm, "again-1"))["group"]?["state"] == "confirmed")
                #expect(try await client.call(Self.keyed(confirm, "again-1", ["actor": "desk"]))["ok"] == true)
            }
        }
    }
}

extension JSONValue {
    /// The object with `fields` added or replaced.
    func merging(_ fields: [String: JSONValue]) -> JSONValue {
        guard case .object(var object) = self else { preconditionFailure("not an object") }
        object.merge(fields) { _, new in new }
        return .object(object)
    }

    /// The object without `field`.
    func removing(_ field: String) -> JSONValue {
        guard case .object(var fields) = self else { preconditionFailure("not an object") }
        fields[field] = nil
        return .object(fields)
    }
}
