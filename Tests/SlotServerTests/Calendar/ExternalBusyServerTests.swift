import Foundation
import SlotClient
import SlotDomain
import SlotServer
import SlotTesting
import Testing

/// The `external_busy` layer through a real server (decision 0031): busy times the calendar sync hands a resource
/// refuse bookings over TCP with `external_busy`, leave `availability`, announce `calendar.conflict` for a confirmed
/// booking they land on, and come back after a restart from the journal and from a snapshot.
@Suite(.serialized) struct ExternalBusyServerTests {
    static let link = CalendarLinkID("cal_5a5a5a5a5a5a5a5a")!
    static let busy = TimeRange(
        start: Instant(secondsSinceEpoch: 1_799_143_200),  // 2027-01-05T10:00Z
        end: Instant(secondsSinceEpoch: 1_799_146_800))  // 2027-01-05T11:00Z

    static func pull(_ ranges: [TimeRange]?, _ server: TestServer) async throws {
        let actor = try #require(server.runtime.directory.actor(ResourceID("room")!))
        let sequence = try await actor.replaceExternalBusy(link: link, ranges: ranges).get()
        if let sequence { try await server.runtime.journal.waitUntilDurable(sequence) }
    }

    static func expectRefused(_ client: SlotConnection) async throws {
        let refused = try await client.call(
            Requests.hold("room", "2027-01-05T10:30:00Z", "2027-01-05T11:30:00Z", op: "book"))
        #expect(refused.errorCode == "external_busy", "\(refused)")
        #expect(refused["error"]?["link"] == .string(link.rawValue))
        #expect(refused["error"]?["busy_start"] == "2027-01-05T10:00:00Z")
        #expect(refused["error"]?["busy_end"] == "2027-01-05T11:00:00Z")
    }

    @Test func busyTimesRefuseAnnounceConflictsAndSurviveRestarts() async throws {
        let folder = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await TestServer.run(dataDirectory: folder) { server in
            try await server.connect { client in
                #expect(try await client.call(Requests.createResource("room")).ok)
                let booked = try await client.call(
                    Requests.hold("room", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z", op: "book"))
                #expect(booked.ok, "\(booked)")
                try await SlotConnection.withConnection(port: server.port) { subscriber in
                    let stream = StreamClient(connection: subscriber)
                    _ = try await stream.subscribe(["resources": ["room"], "types": ["calendar.conflict"]])
                    try await Self.pull([Self.busy], server)
                    let conflict = try await stream.nextEvent()
                    #expect(conflict["type"] == "calendar.conflict")
                    #expect(conflict["calendar_link"] == .string(Self.link.rawValue))
                    #expect(conflict["booking"]?["id"] == "room/1")
                    #expect(conflict["busy"]?["start"] == "2027-01-05T10:00:00Z", "\(conflict)")
                }
                try await Self.expectRefused(client)
                let free = try await client.call([
                    "op": "availability", "resource": "room", "from": "2027-01-05T09:00:00Z",
                    "to": "2027-01-05T12:00:00Z", "duration_minutes": 30,
                ])
                let slots = free["slots"]?.array?.compactMap(\.string) ?? []
                #expect(slots.contains("2027-01-05T09:30:00Z"), "\(free)")
                #expect(!slots.contains { $0.hasPrefix("2027-01-05T10:") }, "\(free)")
                #expect(
                    try await server.runtime.directory.actor(ResourceID("room")!)!.externalBusyStatus().conflicts
                        .map(\.booking.id.description) == ["room/1"])
                #expect(
                    try await client.call(["op": "get_booking", "booking": "room/1"])["booking"]?["state"]
                        == "confirmed")
            }
        }
        // From the journal alone, then from a snapshot.
        try await TestServer.run(dataDirectory: folder) { server in
            try await server.connect { client in
                try await Self.expectRefused(client)
                #expect(try await client.call(["op": "snapshot"]).ok)
            }
        }
        try await TestServer.run(dataDirectory: folder) { server in
            try await server.connect { client in try await Self.expectRefused(client) }
            try await Self.pull(nil, server)
            try await server.connect { client in
                let booked = try await client.call(
                    Requests.hold("room", "2027-01-05T10:30:00Z", "2027-01-05T11:00:00Z", op: "book"))
                #expect(booked.ok, "the link removed, its busy times go: \(booked)")
            }
        }
    }
}
