import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// Many clients racing over real connections: capacity is never exceeded, whatever the interleaving.
@Suite struct ConcurrencyTests {
    /// `stats` counts journal commits: one per acknowledged change when a client waits for each reply, and changes
    /// from many connections at once share commits (group commit) without any being lost.
    @Test func statsCountJournalCommitsAndConcurrentChangesShareThem() async throws {
        try await TestServer.run { server in
            func stats() async throws -> (commits: Int, durable: Int) {
                try await server.connect { client in
                    let stats = try await client.call(["op": "stats"])["stats"]
                    return (stats?["journal_commits"]?.int ?? -1, stats?["durable_sequence"]?.int ?? -1)
                }
            }
            try await server.connect { client in
                _ = try await client.call(Requests.createResource("room", extra: ["slot_minutes": 5]))
                let before = try await stats()
                for minute in stride(from: 0, to: 15, by: 5) {
                    let start = "2027-01-05T10:\(minute < 10 ? "0" : "")\(minute):00Z"
                    let end = "2027-01-05T10:\(minute + 5 < 10 ? "0" : "")\(minute + 5):00Z"
                    #expect(try await client.call(Requests.hold("room", start, end, op: "book")).ok)
                }
                let after = try await stats()
                #expect(after.commits - before.commits == 3, "one commit per change waited for")
                #expect(after.durable - before.durable == 3)
            }
            let before = try await stats()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for connection in 0..<20 {
                    group.addTask {
                        try await server.connect { client in
                            let hour = String(format: "%02d", connection)
                            let replies = try await client.pipeline(
                                (0..<12).map { slot in
                                    let minute = String(format: "%02d", slot * 5)
                                    let end =
                                        slot == 11
                                        ? "\(String(format: "%02d", connection + 1)):00"
                                        : "\(hour):\(String(format: "%02d", slot * 5 + 5))"
                                    return Requests.hold(
                                        "room", "2027-01-06T\(hour):\(minute):00Z", "2027-01-06T\(end):00Z", op: "book")
                                })
                            let refused = replies.filter { !$0.ok }
                            #expect(refused.isEmpty, "\(refused)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let after = try await stats()
            #expect(after.durable - before.durable == 240)
            #expect(after.commits - before.commits >= 1)
            #expect(after.commits - before.commits < 240, "240 changes from 20 connections shared commits")
        }
    }

    @Test(arguments: [1, 3])
    func fiftyClientsRaceForOneSlot(capacity: Int) async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                _ = try await client.call(
                    Requests.createResource("hot", extra: ["capacity": .number(Double(capacity))]))
            }
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        try await server.connect { client in
                            let reply = try await client.call(
                                Requests.hold(
                                    "hot", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z",
                                    op: index % 2 == 0 ? "book" : "hold",
                                    customer: "c\(index)"))
                            if !reply.ok { #expect(reply.errorCode == "slot_unavailable") }
                            return reply.ok
                        }
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(winners == capacity)
            try await server.connect { client in
                let listed = try await client.call([
                    "op": "list_bookings", "resource": "hot", "from": "2027-01-05T00:00:00Z",
                    "to": "2027-01-06T00:00:00Z",
                ])
                #expect(listed["bookings"]?.array?.count == capacity)
            }
        }
    }

    @Test func pipelinedRepliesComeBackInRequestOrder() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                var requests: [JSONValue] = [Requests.createResource("p", extra: ["capacity": 10])]
                for index in 0..<300 {
                    let hour = 10 + index % 10
                    var request: JSONValue
                    switch index % 4 {
                    case 0:
                        request = Requests.hold(
                            "p", "2027-01-05T\(hour):00:00Z", "2027-01-05T\(hour):15:00Z", op: "book")
                    case 1: request = ["op": "ping"]
                    case 2: request = "not an object"
                    default: request = ["op": "get_booking", "booking": "p/1"]
                    }
                    if case .object(var object) = request {
                        object["id"] = .number(Double(index))
                        request = .object(object)
                    }
                    requests.append(request)
                }
                let replies = try await client.pipeline(requests)
                #expect(replies.count == 301)
                for (index, reply) in replies.dropFirst().enumerated() {
                    if index % 4 == 2 {
                        #expect(reply["id"] == .null)
                        #expect(reply.errorCode == "invalid_request")
                    } else {
                        #expect(reply["id"] == .number(Double(index)), "reply \(index) out of order: \(reply)")
                    }
                }
            }
        }
    }
}
