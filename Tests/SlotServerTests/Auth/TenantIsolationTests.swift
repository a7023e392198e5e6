import SlotClient
import SlotTesting
import Testing

/// Tenants over TCP: ids are per tenant, and nothing of another tenant can be read, changed or even confirmed to
/// exist: every such request is `not_found`, exactly as for an id nobody has.
@Suite struct TenantIsolationTests {
    static let day = "2027-01-05"

    static func hold(_ resource: String, hour: Int, customer: String? = nil) -> JSONValue {
        let hour = hour < 10 ? "0\(hour)" : "\(hour)"
        var request: [String: JSONValue] = [
            "op": "hold", "resource": .string(resource), "start": .string("\(day)T\(hour):00:00Z"),
            "end": .string("\(day)T\(hour):30:00Z"),
        ]
        if let customer { request["customer"] = .string(customer) }
        return .object(request)
    }

    @Test func twoTenantsShareNamesAndSeeNothingOfEachOther() async throws {
        try await AuthFixture.run { fixture in
            let acme = try await fixture.token("acme-ops", role: "operator", extra: ["tenant": "acme"])
            let globex = try await fixture.token("globex-ops", role: "operator", extra: ["tenant": "globex"])
            try await fixture.connect(as: globex) { client in
                #expect(try await client.call(Requests.createResource("dr-smith")).ok)
                let created = try await client.call(Requests.createResource("globex-only"))
                #expect(created["resource"]?["id"] == "globex-only" && created["resource"]?["tenant"] == "globex")
                // globex-only/1 exists: acme's requests for it below are refused although it is there.
                let theirs = try await client.call(Self.hold("globex-only", hour: 8, customer: "Gina Globex"))
                #expect(theirs["booking"]?["id"] == "globex-only/1", "\(theirs)")
                #expect(try await client.call(Self.hold("dr-smith", hour: 9, customer: "Gina Globex")).ok)
            }
            try await fixture.connect(as: acme) { client in
                // Same name, its own resource: the slot globex holds is free here.
                #expect(try await client.call(Requests.createResource("dr-smith")).ok)
                let held = try await client.call(Self.hold("dr-smith", hour: 9, customer: "Al Acme"))
                #expect(held["booking"]?["id"] == "dr-smith/1", "\(held)")
                let mine = try await client.call(["op": "get_booking", "booking": "dr-smith/1"])
                #expect(mine["booking"]?["customer"] == "Al Acme", "\(mine)")
                let listed = try await client.call(["op": "list_resources"])
                #expect(listed["resources"]?.array?.map { $0["id"] } == ["dr-smith"], "\(listed)")
                // Globex's own resource does not exist for acme, whatever the op.
                let probes: [JSONValue] = [
                    ["op": "get_resource", "resource": "globex-only"],
                    Self.hold("globex-only", hour: 10, customer: "x"),
                    ["op": "get_booking", "booking": "globex-only/1"], Requests.move("cancel", "globex-only/1"),
                    ["op": "set_override", "resource": "globex-only", "date": "2027-01-11", "closed": true],
                    [
                        "op": "availability", "resources": ["dr-smith", "globex-only"], "from": "2027-01-05T09:00:00Z",
                        "to": "2027-01-05T10:00:00Z", "duration_minutes": 30,
                    ],
                    [
                        "op": "hold", "resources": ["dr-smith", "globex-only"], "start": "2027-01-05T11:00:00Z",
                        "end": "2027-01-05T11:30:00Z", "customer": "x",
                    ],
                    [
                        "op": "list_bookings", "resource": "globex-only", "from": "2027-01-05T00:00:00Z",
                        "to": "2027-01-06T00:00:00Z",
                    ],
                ]
                for probe in probes {
                    let reply = try await client.call(probe)
                    #expect(reply.errorCode == "not_found", "\(probe): \(reply)")
                }
                let batch = try await client.call([
                    "op": "batch", "atomic": true,
                    "ops": [
                        Self.hold("dr-smith", hour: 12, customer: "y"),
                        Self.hold("globex-only", hour: 12, customer: "y"),
                    ],
                ])
                #expect(batch["error"]?["cause"]?["code"] == "not_found", "\(batch)")
                // A tenant's token cannot step into another tenant by naming it.
                let named = try await client.call(["op": "list_resources", "tenant": "globex"])
                #expect(named.errorCode == "forbidden", "\(named)")
            }
            // An admin without a tenant acts in any, by naming it.
            try await fixture.connect { admin in
                let listed = try await admin.call(["op": "list_resources", "tenant": "globex"])
                #expect(listed["resources"]?.array?.map { $0["id"] } == ["dr-smith", "globex-only"], "\(listed)")
                let theirs = try await admin.call(["op": "get_booking", "booking": "dr-smith/1", "tenant": "globex"])
                #expect(theirs["booking"]?["customer"] == "Gina Globex", "\(theirs)")
                let none = try await admin.call(["op": "list_resources"])
                #expect(none["resources"]?.array?.isEmpty == true, "\(none)")
            }
        }
    }

    @Test func aClientBoundToACustomerSeesAndChangesOnlyItsOwn() async throws {
        try await AuthFixture.run { fixture in
            let operatorSecret = try await fixture.token("acme-ops", role: "operator", extra: ["tenant": "acme"])
            let alice = try await fixture.token(
                "alice-app", role: "client", extra: ["tenant": "acme", "customer": "Alice Example"])
            try await fixture.connect(as: operatorSecret) { client in
                let created = try await client.call(Requests.createResource("room"))
                let held = try await client.call(Self.hold("room", hour: 9, customer: "Bob Other"))
                #expect(created.ok && held.ok, "\(created) \(held)")
            }
            try await fixture.connect(as: alice) { client in
                let held = try await client.call(Self.hold("room", hour: 10))
                #expect(held["booking"]?["customer"] == "Alice Example", "\(held)")
                let forBob = try await client.call(Self.hold("room", hour: 11, customer: "Bob Other"))
                #expect(forBob.errorCode == "forbidden", "\(forBob)")
                for request: JSONValue in [
                    ["op": "get_booking", "booking": "room/1"], Requests.move("cancel", "room/1"),
                    Requests.move("confirm", "room/1"),
                ] {
                    let reply = try await client.call(request)
                    #expect(reply.errorCode == "not_found", "\(request): \(reply)")
                    #expect(reply["error"]?["message"] == "no booking room/1", "\(reply)")
                }
                let listed = try await client.call([
                    "op": "list_bookings", "resource": "room", "from": "2027-01-05T00:00:00Z",
                    "to": "2027-01-06T00:00:00Z",
                ])
                #expect(listed["bookings"]?.array?.map { $0["id"] } == ["room/2"], "\(listed)")
                let confirmed = try await client.call(Requests.move("confirm", "room/2"))
                #expect(confirmed["booking"]?["state"] == "confirmed", "\(confirmed)")
            }
        }
    }
}
