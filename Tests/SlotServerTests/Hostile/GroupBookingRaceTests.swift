import Foundation
import SlotClient
import SlotTesting
import Testing

/// A `book` over several resources holds each, then confirms each. Between the two another client may cancel one
/// of the holds (booking ids are easy to guess), so a refused confirm is a race, not a broken invariant: the group
/// is released and refused, all or none as documented, and the process keeps running.
@Suite struct GroupBookingRaceTests {
    static let groups = 40

    static func start(_ index: Int) -> (String, String) {
        let base = Date().addingTimeInterval(86_400 * 2).timeIntervalSince1970
        let day = Date(timeIntervalSince1970: (base / 86_400).rounded(.down) * 86_400)
        let formatter = ISO8601DateFormatter()
        let start = day.addingTimeInterval(Double(index) * 900)
        return (formatter.string(from: start), formatter.string(from: start.addingTimeInterval(900)))
    }

    @Test func cancelingAHoldOfAGroupBeingBookedReleasesTheGroup() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await SlotdProcess(dataDirectory: directory)
        try await SlotConnection.withConnection(port: server.port) { (client: SlotConnection) async throws in
            for resource in ["a", "b"] {
                #expect(try await client.call(Requests.createResource(resource))["ok"] == true)
            }
        }
        let before = try #require(server.cost)
        let (replies, probe) = try await PingProbe.whilePinging(port: server.port) {
            try await withThrowingTaskGroup(of: [JSONValue].self) { tasks in
                // The attacker: cancels every id the group bookings will get, over and over.
                tasks.addTask {
                    try await SlotConnection.withConnection(port: server.port) { attacker in
                        for _ in 0..<40 {
                            let cancels = (1...Self.groups).map { Requests.move("cancel", "b/\($0)") }
                            _ = try await attacker.pipeline(cancels)
                        }
                        return []
                    }
                }
                tasks.addTask {
                    try await SlotConnection.withConnection(port: server.port) { client in
                        var replies: [JSONValue] = []
                        for index in 0..<Self.groups {
                            let (start, end) = Self.start(index)
                            replies.append(
                                try await client.call(
                                    [
                                        "op": "book", "resources": ["a", "b"], "customer": "c", "start": .string(start),
                                        "end": .string(end),
                                    ]))
                        }
                        return replies
                    }
                }
                var all: [JSONValue] = []
                for try await replies in tasks { all += replies }
                return all
            }
        }
        #expect(server.process.isRunning)
        #expect(replies.count == Self.groups)
        // All or none: a group booked was confirmed on both; one refused left nothing active on `a` (which the
        // attacker never touches; on `b` it goes on to cancel confirmed bookings too).
        try await SlotConnection.withConnection(port: server.port) { client in
            for reply in replies {
                if reply.ok {
                    let states = reply["bookings"]?.array?.map { $0["state"]?.string } ?? []
                    #expect(states == ["confirmed", "confirmed"], "\(reply)")
                } else {
                    #expect(reply["error"]?["resource"] != nil, "\(reply)")
                }
            }
            let (from, _) = Self.start(0)
            let (_, to) = Self.start(Self.groups)
            let listed = try await client.call(
                ["op": "list_bookings", "resource": "a", "from": .string(from), "to": .string(to)])
            let active = listed["bookings"]?.array?.filter { $0["state"] == "confirmed" }.count ?? -1
            #expect(active == replies.filter(\.ok).count, "\(listed)")
        }
        let after = try #require(server.cost)
        // 40 groups and 1,600 cancels: far below 10 s of CPU and 64 MiB, generous for a busy 2-core machine.
        after.expectGrowth(since: before, cpuSecondsMax: 10, residentBytesGrowthMax: 64 << 20)
        // A ping waits behind at most one pipelined burst of 40 small cancels.
        await probe.expectServed()
        #expect(try await server.terminate() == 0)
    }
}
