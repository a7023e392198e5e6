import SlotClient
import SlotServer
import SlotTesting
import Testing

/// `availability` over several resources: `all` (a practitioner and a room together) and `any` (a pool).
@Suite struct MultiResourceTests {
    static let window: JSONValue = [
        "op": "availability", "from": "2027-01-05T08:00:00Z", "to": "2027-01-05T12:00:00Z", "duration_minutes": 60,
    ]

    static func query(_ client: SlotConnection, _ fields: [String: JSONValue]) async throws -> JSONValue {
        guard case .object(var object) = window else { return .null }
        object.merge(fields) { $1 }
        return try await client.call(.object(object))
    }

    @Test func allIntersectsAnyUnitesAndHoldAgrees() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                _ = try await client.call(Requests.createResource("dr-a"))
                _ = try await client.call(Requests.createResource("room-1"))
                _ = try await client.call(
                    Requests.hold("dr-a", "2027-01-05T09:00:00Z", "2027-01-05T10:00:00Z", op: "book"))
                _ = try await client.call(
                    Requests.hold("room-1", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z", op: "book"))
                let doctor = Set(try await Self.query(client, ["resource": "dr-a"])["slots"]?.array ?? [])
                let room = Set(try await Self.query(client, ["resource": "room-1"])["slots"]?.array ?? [])
                let all = try await Self.query(client, ["resources": ["dr-a", "room-1"], "mode": "all"])
                let any = try await Self.query(client, ["resources": ["dr-a", "room-1"], "mode": "any"])
                #expect(Set(all["slots"]?.array ?? []) == doctor.intersection(room))
                #expect(Set(any["slots"]?.array ?? []) == doctor.union(room))
                #expect(all["slots"]?.array?.contains("2027-01-05T09:00:00Z") == false)
                // At 09:00 only the room is free; at 10:00 only the doctor.
                let anySlots = any["slots"]?.array ?? []
                let free = any["free_resources"]?.array ?? []
                #expect(anySlots.count == free.count)
                if let nine = anySlots.firstIndex(of: "2027-01-05T09:00:00Z") { #expect(free[nine] == ["room-1"]) }
                if let ten = anySlots.firstIndex(of: "2027-01-05T10:00:00Z") { #expect(free[ten] == ["dr-a"]) }
                // Every start offered for both really books on both.
                for start in all["slots"]?.array?.compactMap(\.string) ?? [] {
                    for resource in ["dr-a", "room-1"] {
                        let probe = try await client.call(
                            Requests.hold(resource, start, Self.plusOneHour(start)))
                        #expect(probe.ok, "\(resource) at \(start): \(probe)")
                        _ = try await client.call(Requests.move("cancel", probe["booking"]?["id"]?.string ?? ""))
                    }
                }
                let both = try await Self.query(client, ["resource": "dr-a", "resources": ["room-1"]])
                #expect(both["error"]?["field"] == "resources")
                let duplicate = try await Self.query(client, ["resources": ["dr-a", "dr-a"]])
                #expect(duplicate["error"]?["field"] == "resources")
                #expect(try await Self.query(client, ["resources": ["dr-a", "ghost"]]).errorCode == "not_found")
            }
        }
    }

    static func plusOneHour(_ start: String) -> String {
        let hour = Int(start.dropFirst(11).prefix(2))! + 1
        return String(start.prefix(11)) + (hour < 10 ? "0\(hour)" : "\(hour)") + String(start.dropFirst(13))
    }
}

/// `hold`/`book` on several resources (all or none) and on a pool (one, fairly).
@Suite struct MultiResourceBookingTests {
    static func book(_ client: SlotConnection, _ field: String, _ resources: [String], hour: Int) async throws
        -> JSONValue
    {
        let start = "2027-01-05T\(hour):00:00Z"
        let end = "2027-01-05T\(hour):30:00Z"
        return try await client.call([
            "op": "book", .init(stringLiteral: field): .array(resources.map { .string($0) }), "start": .string(start),
            "end": .string(end), "customer": "pat",
        ])
    }

    static func active(_ client: SlotConnection, _ resource: String) async throws -> [JSONValue] {
        try await client.call([
            "op": "list_bookings", "resource": .string(resource), "from": "2027-01-05T00:00:00Z",
            "to": "2027-01-06T00:00:00Z",
        ])["bookings"]?.array ?? []
    }

    @Test func allOrNoneAndPool() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                for resource in ["dr-a", "room-1", "room-2"] {
                    _ = try await client.call(Requests.createResource(resource))
                }
                _ = try await client.call(
                    Requests.hold("room-1", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z", op: "book"))
                // room-1 is taken at 10:00: every member is placed before any is held, so dr-a never gets a booking,
                // not even one canceled at once.
                let refused = try await Self.book(client, "resources", ["room-1", "dr-a"], hour: 10)
                #expect(refused.errorCode == "slot_unavailable")
                #expect(refused["error"]?["resource"] == "room-1")
                #expect(try await Self.active(client, "dr-a").isEmpty)
                #expect(try await client.call(["op": "get_booking", "booking": "dr-a/1"]).errorCode == "not_found")
                // The group is led by the lowest resource id: dr-a/g1, its members in resource order.
                let both = try await Self.book(client, "resources", ["room-1", "dr-a"], hour: 11)
                #expect(both["group"]?["id"] == "dr-a/g1", "\(both)")
                #expect(both["group"]?["state"] == "confirmed")
                let members = both["group"]?["bookings"]?.array ?? []
                #expect(members.map { $0["id"] } == ["dr-a/1", "room-1/2"])
                #expect(members.allSatisfy { $0["state"] == "confirmed" && $0["group"] == "dr-a/g1" })
                #expect(both["bookings"] == nil, "the members are under group, not beside it")
                // Pool: room-1 already has two bookings today, room-2 none: room-2 is picked, then room-1 when
                // room-2 is taken at that time.
                let first = try await Self.book(client, "pool", ["room-1", "room-2"], hour: 14)
                #expect(first["booking"]?["resource"] == "room-2")
                let second = try await Self.book(client, "pool", ["room-1", "room-2"], hour: 14)
                #expect(second["booking"]?["resource"] == "room-1")
                let third = try await Self.book(client, "pool", ["room-1", "room-2"], hour: 14)
                #expect(third.errorCode == "slot_unavailable")
                let mixed = try await client.call([
                    "op": "book", "resource": "dr-a", "resources": ["room-1"], "start": "2027-01-05T15:00:00Z",
                    "end": "2027-01-05T15:30:00Z", "customer": "x",
                ])
                #expect(mixed["error"]?["field"] == "resources")
            }
        }
    }

    @Test func racingGroupBookingsLeaveNoPartialBookings() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                for resource in ["a", "b"] { _ = try await client.call(Requests.createResource(resource)) }
            }
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        try await server.connect { client in
                            let order = index % 2 == 0 ? ["a", "b"] : ["b", "a"]
                            return try await Self.book(client, "resources", order, hour: 12).ok
                        }
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(winners == 1)
            try await server.connect { (client: SlotConnection) async throws in
                #expect(try await Self.active(client, "a").count == 1)
                #expect(try await Self.active(client, "b").count == 1)
            }
        }
    }
}
