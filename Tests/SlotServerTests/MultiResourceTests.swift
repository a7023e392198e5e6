import SlotClient
import SlotServer
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
