import SlotClient
import SlotTesting
import Testing

/// Every cell of the role matrix (docs/PROTOCOL.md §16) over TCP: each op sent by a token of each role is refused
/// with `forbidden` exactly when the role is below the op's, and otherwise gets on with the op (whatever its own
/// answer). The expected matrix is written out here, not read from the server's table, so a change to either shows.
@Suite struct RoleMatrixTests {
    static let roles = ["reader", "client", "operator", "admin"]

    static let from = "2027-01-05T09:00:00Z"
    static let to = "2027-01-05T09:30:00Z"

    /// Each op, a request that decodes, and the least role that may send it.
    static let matrix: [(op: String, request: JSONValue, least: String)] = [
        (
            "availability",
            [
                "op": "availability", "resource": "r", "from": .string(from), "to": .string(to),
                "duration_minutes": 30,
            ], "reader"
        ),
        (
            "availability (resources)",
            [
                "op": "availability", "resources": ["r", "r2"], "from": .string(from),
                "to": .string(to), "duration_minutes": 30,
            ], "reader"
        ),
        ("get_resource", ["op": "get_resource", "resource": "r"], "reader"),
        ("list_resources", ["op": "list_resources"], "reader"),
        ("hold", Requests.hold("r", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z"), "client"),
        ("book", Requests.hold("r", "2027-01-05T11:00:00Z", "2027-01-05T11:30:00Z", op: "book"), "client"),
        (
            "hold (resources)",
            [
                "op": "hold", "resources": ["r", "r2"], "start": "2027-01-05T12:00:00Z",
                "end": "2027-01-05T12:30:00Z", "customer": "ann",
            ], "client"
        ),
        ("confirm", Requests.move("confirm", "r/1"), "client"),
        ("cancel", Requests.move("cancel", "r/1"), "client"),
        (
            "reschedule",
            Requests.move(
                "reschedule", "r/1",
                extra: [
                    "start": "2027-01-05T13:00:00Z",
                    "end": "2027-01-05T13:30:00Z",
                ]), "client"
        ),
        ("complete", Requests.move("complete", "r/1"), "operator"),
        ("no_show", Requests.move("no_show", "r/1"), "operator"),
        ("get_booking", ["op": "get_booking", "booking": "r/1"], "client"),
        (
            "list_bookings", ["op": "list_bookings", "resource": "r", "from": .string(from), "to": .string(to)],
            "client"
        ),
        (
            "book_series",
            [
                "op": "book_series", "resource": "r", "customer": "ann", "start": "2027-02-01T09:00:00Z",
                "end": "2027-02-01T09:30:00Z", "rule": ["freq": "weekly", "count": 2],
            ], "client"
        ),
        ("cancel_series", ["op": "cancel_series", "series": "r/1"], "client"),
        (
            "waitlist_join",
            [
                "op": "waitlist_join", "resource": "r", "start": "2027-01-05T14:00:00Z",
                "end": "2027-01-05T14:30:00Z", "customer": "ann",
            ], "client"
        ),
        ("waitlist_leave", ["op": "waitlist_leave", "entry": "r/w1"], "client"),
        ("waitlist_status (entry)", ["op": "waitlist_status", "entry": "r/w1"], "client"),
        ("waitlist_status (resource)", ["op": "waitlist_status", "resource": "r"], "client"),
        ("get_group", ["op": "get_group", "group": "r/g1"], "client"),
        ("confirm_group", ["op": "confirm_group", "group": "r/g1"], "client"),
        ("cancel_group", ["op": "cancel_group", "group": "r/g1"], "client"),
        (
            "reschedule_group",
            [
                "op": "reschedule_group", "group": "r/g1", "start": "2027-01-05T15:00:00Z",
                "end": "2027-01-05T15:30:00Z",
            ], "client"
        ),
        ("batch", ["op": "batch", "atomic": false, "ops": [["op": "ping"]]], "client"),
        ("create_resource", Requests.createResource("made"), "operator"),
        (
            "set_weekly_hours",
            ["op": "set_weekly_hours", "resource": "r", "weekly_hours": ["mon": [["09:00", "17:00"]]]],
            "operator"
        ),
        ("set_override", ["op": "set_override", "resource": "r", "date": "2027-01-11", "closed": true], "operator"),
        ("clear_override", ["op": "clear_override", "resource": "r", "date": "2027-01-11"], "operator"),
        (
            "add_block",
            [
                "op": "add_block", "resource": "r", "start": "2027-01-06T09:00:00Z",
                "end": "2027-01-06T10:00:00Z", "label": "x",
            ], "operator"
        ),
        ("remove_block", ["op": "remove_block", "resource": "r", "block": 99], "operator"),
        ("set_limits", ["op": "set_limits", "resource": "r", "max_bookings_per_day": 50], "operator"),
        ("get_rules", ["op": "get_rules", "resource": "r"], "operator"),
        ("snapshot", ["op": "snapshot"], "operator"),
        ("stats", ["op": "stats"], "operator"),
        ("monitor", ["op": "monitor", "seconds": 5], "operator"),
        ("create_token", ["op": "create_token", "name": "made-in-matrix", "role": "reader"], "admin"),
        ("list_tokens", ["op": "list_tokens"], "admin"),
        ("revoke_token", ["op": "revoke_token", "token": "t99"], "admin"),
        ("erase_customer", ["op": "erase_customer", "customer": "nobody-at-all"], "admin"),
        ("create_webhook", ["op": "create_webhook", "url": "https://hooks.example.com/matrix"], "operator"),
        ("list_webhooks", ["op": "list_webhooks"], "operator"),
        ("get_webhook", ["op": "get_webhook", "webhook": "wh_0000000000000000"], "operator"),
        ("delete_webhook", ["op": "delete_webhook", "webhook": "wh_0000000000000000"], "operator"),
        ("list_deliveries", ["op": "list_deliveries", "webhook": "wh_0000000000000000"], "operator"),
        ("redeliver", ["op": "redeliver", "delivery": 1], "operator"),
        // Last: once subscribed, the connection also carries event lines, which the client keeps apart.
        ("subscribe", ["op": "subscribe", "all": true], "client"),
        ("unsubscribe", ["op": "unsubscribe"], "client"),
    ]

    @Test func everyOpIsRefusedExactlyForTheRolesBelowIts() async throws {
        try await AuthFixture.run { fixture in
            try await fixture.connect { admin in
                for resource in ["r", "r2"] {
                    let created = try await admin.call(Requests.createResource(resource))
                    #expect(created.ok, "\(created)")
                }
            }
            for role in Self.roles {
                let secret = try await fixture.token("matrix-\(role)", role: role)
                try await fixture.connect(as: secret) { client in
                    for (op, request, least) in Self.matrix {
                        let reply = try await client.call(request)
                        let allowed = Self.roles.firstIndex(of: role)! >= Self.roles.firstIndex(of: least)!
                        if allowed {
                            #expect(reply.errorCode != "forbidden", "\(role) \(op): \(reply)")
                            #expect(reply.errorCode != "unauthenticated", "\(role) \(op): \(reply)")
                        } else {
                            #expect(reply.errorCode == "forbidden", "\(role) \(op): \(reply)")
                            #expect(reply["error"]?["required_role"] == .string(least), "\(role) \(op): \(reply)")
                        }
                    }
                    #expect(try await client.call(["op": "ping"]).ok, "\(role) ping")
                }
            }
        }
    }

    @Test func aBatchChecksEachOfItsOpsAgainstTheRole() async throws {
        try await AuthFixture.run { fixture in
            try await fixture.connect { admin in
                let created = try await admin.call(Requests.createResource("r"))
                #expect(created.ok, "\(created)")
            }
            let secret = try await fixture.token("batcher", role: "client")
            try await fixture.connect(as: secret) { client in
                let hold = Requests.hold("r", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z")
                let block: JSONValue = [
                    "op": "add_block", "resource": "r", "start": "2027-01-06T09:00:00Z", "end": "2027-01-06T10:00:00Z",
                ]
                let each = try await client.call(["op": "batch", "atomic": false, "ops": [hold, block]])
                let results = each["results"]?.array ?? []
                #expect(results.first?["ok"] == true, "\(each)")
                #expect(results.last?["error"]?["code"] == "forbidden", "\(each)")
                let atomic = try await client.call(["op": "batch", "atomic": true, "ops": [hold, block]])
                #expect(atomic.errorCode == "batch_refused", "\(atomic)")
                #expect(atomic["error"]?["index"] == 1)
                #expect(atomic["error"]?["cause"]?["code"] == "forbidden", "\(atomic)")
            }
        }
    }
}
