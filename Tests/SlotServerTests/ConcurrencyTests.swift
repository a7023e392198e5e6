import SlotClient
import SlotServer
import Testing

/// Many clients racing over real connections: capacity is never exceeded, whatever the interleaving.
@Suite struct ConcurrencyTests {
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
