import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// `batch` over TCP: `atomic: false` runs each op on its own, in order, as if pipelined; `atomic: true` decides
/// each op against the state the earlier ones left and applies all of them, or none (`batch_refused`).
@Suite struct BatchProtocolTests {
    static func hold(
        _ resource: String, hour: Int, minute: Int = 0, op: String = "hold", extra: [String: JSONValue] = [:]
    )
        -> JSONValue
    {
        let start = String(format: "2027-01-05T%02d:%02d:00Z", hour, minute)
        let end = String(format: "2027-01-05T%02d:%02d:00Z", hour + (minute + 30) / 60, (minute + 30) % 60)
        return Requests.hold(resource, start, end, op: op, extra: extra)
    }

    static func batch(_ ops: [JSONValue], atomic: Bool?, extra: [String: JSONValue] = [:]) -> JSONValue {
        var object: [String: JSONValue] = ["id": "b", "op": "batch", "ops": .array(ops)]
        if let atomic { object["atomic"] = .bool(atomic) }
        object.merge(extra) { _, new in new }
        return .object(object)
    }

    static func with(_ request: JSONValue, _ fields: [String: JSONValue]) -> JSONValue {
        guard case .object(var object) = request else { preconditionFailure("a request is an object") }
        object.merge(fields) { _, new in new }
        return .object(object)
    }

    static func setUp(_ client: SlotConnection) async throws {
        for resource in ["r", "s"] { #expect(try await client.call(Requests.createResource(resource)).ok) }
    }

    static func journalSequence(_ client: SlotConnection) async throws -> Int? {
        try await client.call(["op": "stats"])["stats"]?["journal_sequence"]?.int
    }

    static func results(_ reply: JSONValue) -> [JSONValue] { reply["results"]?.array ?? [] }

    @Test func aBatchThatIsNotAtomicRunsEachOpOnItsOwn() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                try await Self.setUp(client)
                let ops: [JSONValue] = [
                    Self.with(Self.hold("r", hour: 10), ["id": "first"]),
                    Self.with(Self.hold("r", hour: 10, extra: ["customer": "bob"]), ["id": 2]),
                    ["id": "bad", "op": "hold", "resource": "r", "start": "soon", "end": "2027-01-05T10:30:00Z"],
                    ["op": "confirm", "booking": "r/1", "tz": "Europe/Paris"],
                    ["id": 5, "op": "frobnicate"],
                    5,
                    Self.with(Self.hold("s", hour: 11), ["idempotency_key": "inner-1", "id": "keyed"]),
                    ["op": "get_booking", "booking": "r/1"],
                ]
                let reply = try await client.call(Self.batch(ops, atomic: false))
                #expect(reply["id"] == "b" && reply.ok, "\(reply)")
                let results = Self.results(reply)
                #expect(results.map(\.ok) == [true, false, false, true, false, false, true, true], "\(reply)")
                #expect(results.map { $0["id"] } == ["first", 2, "bad", nil, 5, nil, "keyed", nil])
                #expect(results[0]["booking"]?["id"] == "r/1")
                #expect(results[1].errorCode == "slot_unavailable", "decided after op 0 held the slot")
                #expect(results[2].errorCode == "invalid_request" && results[2]["error"]?["field"] == "start")
                // Its own tz: 10:00Z is 11:00 in Paris; the other ops show no local times.
                #expect(results[3]["booking"]?["state"] == "confirmed")
                #expect(results[3]["booking"]?["start_local"] == "2027-01-05T11:00:00+01:00", "\(results[3])")
                #expect(results[0]["booking"]?["start_local"] == nil)
                #expect(
                    results[4].errorCode == "unknown_op" && results[4]["error"]?["op"] == "frobnicate", "\(results[4])")
                #expect(results[5].errorCode == "invalid_request" && results[5]["error"]?["field"] == "ops[5]")
                #expect(results[6]["booking"]?["id"] == "s/1")
                #expect(results[7]["booking"]?["state"] == "confirmed", "a later op sees an earlier one's effect")
                // Again: the keyed op replays its first reply; the others are decided anew.
                let again = Self.results(try await client.call(Self.batch(ops, atomic: false)))
                #expect(again.count == ops.count)
                #expect(again.first?.errorCode == "slot_unavailable")
                #expect(again.count > 6 && again[6] == results[6], "\(again)")
                #expect(try await client.call(["op": "get_booking", "booking": "s/2"]).errorCode == "not_found")
            }
        }
    }

    /// Ops no batch may hold are refused one by one in a batch that is not atomic; `create_resource` is served
    /// there. An atomic batch holding any of them, or `create_resource`, is refused as a whole.
    @Test func opsABatchMayNotHold() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                try await Self.setUp(client)
                let forbidden: [JSONValue] = [
                    ["op": "batch", "atomic": false, "ops": [["op": "ping"]]], ["op": "snapshot"], ["op": "stats"],
                ]
                let independent = try await client.call(
                    Self.batch(forbidden + [Requests.createResource("t"), ["op": "ping"]], atomic: false))
                let results = Self.results(independent)
                #expect(results.map(\.ok) == [false, false, false, true, true], "\(independent)")
                for result in results.prefix(3) {
                    #expect(result.errorCode == "invalid_request" && result["error"]?["field"] == "op", "\(result)")
                }
                #expect(try await client.call(["op": "get_resource", "resource": "t"]).ok)
                for op in forbidden + [Requests.createResource("u")] {
                    let refused = try await client.call(Self.batch([Self.hold("r", hour: 9), op], atomic: true))
                    #expect(refused.errorCode == "batch_refused", "\(refused)")
                    #expect(refused["error"]?["index"] == 1)
                    #expect(refused["error"]?["cause"]?["code"] == "invalid_request")
                    #expect(refused["error"]?["cause"]?["field"] == "op")
                }
                #expect(try await client.call(["op": "get_resource", "resource": "u"]).errorCode == "not_found")
                #expect(try await client.call(["op": "get_booking", "booking": "r/1"]).errorCode == "not_found")
            }
        }
    }

    @Test func theBatchsOwnFieldsAreChecked() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                try await Self.setUp(client)
                let ping: [JSONValue] = [["op": "ping"]]
                let cases: [(JSONValue, String)] = [
                    (Self.batch(ping, atomic: nil), "atomic"),
                    (Self.batch(ping, atomic: nil, extra: ["atomic": "yes"]), "atomic"),
                    (["op": "batch", "atomic": true], "ops"),
                    (Self.batch([], atomic: false), "ops"),
                    (Self.batch(ping, atomic: true, extra: ["ops": ["op": "ping"]]), "ops"),
                    (Self.batch(ping, atomic: false, extra: ["idempotency_key": "k"]), "idempotency_key"),
                    (Self.batch(ping, atomic: true, extra: ["colour": "red"]), "colour"),
                ]
                for (request, field) in cases {
                    let reply = try await client.call(request)
                    #expect(reply.errorCode == "invalid_request", "\(request): \(reply)")
                    #expect(reply["error"]?["field"] == .string(field), "\(request): \(reply)")
                }
            }
        }
    }

    /// `batch_operations_max` is 100: a batch of 100 holds is served in one journal entry; one of 101 is refused
    /// before any op runs, naming the limit.
    @Test func aHundredOpsAreServedAndAHundredAndOneRefused() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                try await Self.setUp(client)
                // 50 half hours on each resource from 2027-01-05T00:00Z, the 101st again the first on s.
                let formatter = ISO8601DateFormatter()
                let day = try #require(formatter.date(from: "2027-01-05T00:00:00Z"))
                let holds = (0..<101).map { index -> JSONValue in
                    let start = day.addingTimeInterval(Double(index % 50) * 1_800)
                    return Requests.hold(
                        index < 50 ? "r" : "s", formatter.string(from: start),
                        formatter.string(from: start.addingTimeInterval(1_800)))
                }
                let sequence = try await Self.journalSequence(client)
                let tooMany = try await client.call(Self.batch(holds, atomic: false))
                #expect(tooMany.errorCode == "invalid_request", "\(tooMany)")
                #expect(tooMany["error"]?["field"] == "ops" && tooMany["error"]?["limit"] == "100")
                #expect(try await client.call(Self.batch(holds, atomic: true)).errorCode == "invalid_request")
                #expect(try await Self.journalSequence(client) == sequence)
                let served = try await client.call(Self.batch(Array(holds.prefix(100)), atomic: true))
                let results = Self.results(served)
                #expect(results.count == 100 && results.allSatisfy(\.ok), "\(served)")
                #expect(results.last?["booking"]?["id"] == "s/50")
                #expect(try await Self.journalSequence(client) == sequence.map { $0 + 1 }, "one atomic entry")
                let independent = try await client.call(
                    Self.batch(Array(repeating: ["op": "ping"], count: 100), atomic: false))
                #expect(Self.results(independent).count == 100 && Self.results(independent).allSatisfy(\.ok))
            }
        }
    }
}
