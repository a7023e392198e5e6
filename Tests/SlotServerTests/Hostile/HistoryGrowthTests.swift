import Foundation
import SlotClient
import SlotDomain
import SlotTesting
import Testing

/// A booking rescheduled back and forth must not grow its history, and its `get_booking` reply, without end, nor
/// copy the whole history at each move. Against the real binary: the history keeps
/// `historyEntriesPerBookingMax` entries and counts the rest as `history_omitted`, the same after a restart from
/// the journal and after one from a snapshot, and moves stay cheap.
@Suite(.serialized) struct HistoryGrowthTests {
    static let moves = 300
    static let entriesMax = DomainLimits.standard.historyEntriesPerBookingMax

    static func at(days: Int64, minutes: Int64 = 0) -> JSONValue { QueryCostTests.at(days: days, minutes: minutes) }

    @Test func aBookingMovedHundredsOfTimesKeepsABoundedHistoryAcrossRestarts() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var server = try await SlotdProcess(dataDirectory: directory)
        let places = [
            (Self.at(days: 1), Self.at(days: 1, minutes: 30)), (Self.at(days: 2), Self.at(days: 2, minutes: 30)),
        ]
        let first: String = try await SlotConnection.withConnection(port: server.port) { client in
            #expect(try await client.call(["op": "create_resource", "resource": "desk", "tz": "UTC"]).ok)
            let booked = try await client.call([
                "op": "book", "resource": "desk", "start": places[0].0, "end": places[0].1, "customer": "c",
            ])
            let id = try #require(booked["booking"]?["id"])
            let before = try #require(server.cost)
            let port = server.port
            let (_, probe) = try await PingProbe.whilePinging(port: port) {
                try await SlotConnection.withConnection(port: port) { mover in
                    for move in 0..<Self.moves {
                        let place = places[(move + 1) % 2]
                        let moved = try await mover.call([
                            "op": "reschedule", "booking": id, "start": place.0, "end": place.1,
                        ])
                        #expect(moved.ok, "move \(move): \(moved)")
                    }
                }
            }
            let after = try #require(server.cost, "the server is still running")
            // Generous: 300 moves are 300 journal commits; copying a growing history made the last moves cost
            // 300 times the first.
            #expect(after.cpuSeconds - before.cpuSeconds < 5, "\(after.cpuSeconds - before.cpuSeconds) s of CPU")
            await QueryCostTests.expectServed(probe)

            try await client.send(["op": "get_booking", "booking": id])
            let line = try await client.receiveLine()
            let reply = try JSONValue.parse(line)
            let history = try #require(reply["booking"]?["history"]?.array)
            #expect(history.count == Self.entriesMax)
            #expect(reply["booking"]?["history_omitted"]?.int == Self.moves + 2 - Self.entriesMax)
            #expect(history.first?["from"] == .null, "the creation stays")
            #expect(
                history.last?["previous_start"] == places[1].0, "the newest move (back from the second place) stays")
            #expect(line.utf8.count < 30_000, "get_booking is \(line.utf8.count) bytes")
            return line
        }

        // From the journal alone: the replayed moves drop the same entries.
        _ = try await server.terminate()
        server = try await SlotdProcess(dataDirectory: directory)
        try await SlotConnection.withConnection(port: server.port) { client in
            try await client.send(["op": "get_booking", "booking": "desk/1"])
            #expect(try await client.receiveLine() == first, "replayed from the journal")
            #expect(try await client.call(["op": "snapshot"]).ok)
        }
        // From the snapshot (format 4 keeps the omitted count).
        _ = try await server.terminate()
        server = try await SlotdProcess(dataDirectory: directory)
        try await SlotConnection.withConnection(port: server.port) { client in
            try await client.send(["op": "get_booking", "booking": "desk/1"])
            #expect(try await client.receiveLine() == first, "restored from the snapshot")
            let moved = try await client.call([
                "op": "reschedule", "booking": "desk/1", "start": places[1].0, "end": places[1].1,
            ])
            #expect(moved.ok)
            let reply = try await client.call(["op": "get_booking", "booking": "desk/1"])
            #expect(reply["booking"]?["history"]?.array?.count == Self.entriesMax)
            #expect(reply["booking"]?["history_omitted"]?.int == Self.moves + 3 - Self.entriesMax)
        }
        _ = try await server.terminate()
    }

    @Test func listBookingsNamesTheCursorOfTheNextPage() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await SlotdProcess(dataDirectory: directory)
        try await SlotConnection.withConnection(port: server.port) { client in
            #expect(try await client.call(["op": "create_resource", "resource": "desk", "tz": "UTC"]).ok)
            for hour: Int64 in 0..<3 {
                let booked = try await client.call([
                    "op": "book", "resource": "desk", "start": Self.at(days: 1, minutes: hour * 60),
                    "end": Self.at(days: 1, minutes: hour * 60 + 30), "customer": "c",
                ])
                #expect(booked.ok, "\(booked)")
            }
            let range: (JSONValue, JSONValue) = (Self.at(days: 0), Self.at(days: 3))
            let page = try await client.call([
                "op": "list_bookings", "resource": "desk", "from": range.0, "to": range.1, "limit": 2,
            ])
            #expect(page["truncated"] == true)
            #expect(page["next"] == "desk/2")
            let last = try await client.call([
                "op": "list_bookings", "resource": "desk", "from": range.0, "to": range.1, "limit": 2,
                "after": page["next"] ?? .null,
            ])
            #expect(last["bookings"]?.array?.compactMap { $0["id"]?.string } == ["desk/3"])
            #expect(last["truncated"] == false)
            #expect(last["next"] == nil, "no cursor on the last page")
        }
        _ = try await server.terminate()
    }
}
