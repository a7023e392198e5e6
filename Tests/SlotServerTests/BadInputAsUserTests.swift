import SlotClient
import SlotServer
import SlotTesting
import Testing

/// Inputs found wrong when slotd was tried as a user would: each is refused naming its field, and leaves nothing
/// behind.
@Suite struct BadInputAsUserTests {
    @Test func aClientCannotSignAsTheServer() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                _ = try await client.call(Requests.createResource("r"))
                #expect(try await client.call(Requests.hold("r", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z")).ok)
                for name in ["system", "waitlist", "System"] {
                    let forged = try await client.call(
                        Requests.move("cancel", "r/1", extra: ["actor": .string(name)]))
                    #expect(forged.errorCode == "invalid_request", "\(forged)")
                    #expect(forged["error"]?["field"] == "actor")
                    #expect(
                        forged["error"]?["message"]
                            == .string(
                                "actor '\(name)' is reserved: slotd signs its own entries as system, waitlist, token:<name>; "
                                    + "choose another name"))
                    let held = try await client.call(
                        Requests.hold(
                            "r", "2027-01-05T11:00:00Z", "2027-01-05T11:30:00Z", extra: ["actor": .string(name)]))
                    #expect(held["error"]?["field"] == "actor")
                    let rules = try await client.call([
                        "op": "set_limits", "resource": "r", "min_notice_minutes": 5, "actor": .string(name),
                    ])
                    #expect(rules["error"]?["field"] == "actor")
                }
                // Nothing was done: the hold is still pending, and the cancel without an actor is the client's.
                let pending = try await client.call(["op": "get_booking", "booking": "r/1"])
                #expect(pending["booking"]?["state"] == "pending_confirmation")
                let canceled = try await client.call(Requests.move("cancel", "r/1"))
                #expect(canceled["booking"]?["state"] == "canceled")
                let detail = try await client.call(["op": "get_booking", "booking": "r/1"])
                #expect(detail["booking"]?["history"]?.array?.map { $0["actor"] } == ["client", "client"])
            }
        }
    }

    @Test func foldIsCheckedOnEveryRequest() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                _ = try await client.call(
                    Requests.createResource("berlin", tz: "Europe/Berlin", extra: ["slot_minutes": 30]))
                let local: [String: JSONValue] = [
                    "op": "hold", "resource": "berlin", "customer": "c", "tz": "Europe/Berlin",
                    "start_local": "2027-07-02T10:00", "end_local": "2027-07-02T11:00",
                ]
                let sideways = try await client.call(.object(local.merging(["fold": "sideways"]) { _, new in new }))
                #expect(sideways.errorCode == "invalid_request")
                #expect(sideways["error"]?["field"] == "fold")
                #expect(sideways["error"]?["message"] == #"fold must be "earlier" or "later""#)
                let alone = try await client.call(
                    Requests.hold("berlin", "2027-07-02T08:00:00Z", "2027-07-02T09:00:00Z", extra: ["fold": "earlier"]))
                #expect(alone["error"]?["field"] == "fold")
                #expect(
                    alone["error"]?["message"]
                        == "fold applies only to start_local, end_local, from_local or to_local, and this request has none"
                )
                // Neither refusal took the time; a valid fold beside a time that happens once changes nothing.
                let harmless = try await client.call(.object(local.merging(["fold": "later"]) { _, new in new }))
                #expect(harmless["booking"]?["start"] == "2027-07-02T08:00:00Z", "\(harmless)")
            }
        }
    }

    @Test func messagesSayWhatIsWrong() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                _ = try await client.call(Requests.createResource("r"))
                let both = try await client.call(
                    Requests.hold(
                        "r", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z",
                        extra: ["tz": "UTC", "start_local": "2027-01-05T10:00"]))
                #expect(both["error"]?["field"] == "start_local")
                #expect(both["error"]?["message"] == "give start or start_local, not both")
                // Valid JSON, 5,000 levels deep: said to be too deep, with the limit, and the connection goes on.
                let deep =
                    #"{"id":1,"op":"ping","x":"# + String(repeating: "[", count: 5_000)
                    + String(repeating: "]", count: 5_000) + "}\n"
                try await client.sendRaw(Array(deep.utf8))
                let refused = try await client.receive()
                #expect(refused.errorCode == "bad_json")
                #expect(
                    refused["error"]?["message"]
                        == "the line is nested too deeply: at most 512 arrays and objects inside one another")
                #expect(refused["error"]?["limit"] == "512")
                #expect(try await client.call(["id": "after", "op": "ping"]) == ["id": "after", "ok": true])
            }
        }
    }

    @Test func slotUnavailableSaysWhyAndWhichPoolMembersWereTried() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                _ = try await client.call(Requests.createResource("room-a", extra: ["buffer_after_minutes": 15]))
                _ = try await client.call(Requests.createResource("room-b"))
                #expect(
                    try await client.call(
                        Requests.hold("room-a", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z", op: "book")
                    ).ok)
                let full = try await client.call(
                    Requests.hold("room-a", "2027-01-05T10:15:00Z", "2027-01-05T10:30:00Z"))
                #expect(full.errorCode == "slot_unavailable")
                #expect(full["error"]?["reason"] == "capacity")
                #expect(full["error"]?["message"] == "the requested time is booked to capacity")
                #expect(full["error"]?["conflict_start"] == "2027-01-05T10:15:00Z")
                let buffer = try await client.call(
                    Requests.hold("room-a", "2027-01-05T10:30:00Z", "2027-01-05T10:45:00Z"))
                #expect(buffer["error"]?["reason"] == "buffer")
                #expect(buffer["error"]?["conflict_start"] == "2027-01-05T10:30:00Z")
                #expect(buffer["error"]?["conflict_end"] == "2027-01-05T10:45:00Z")
                // A pool whose members all refuse names them in the order tried: one booking that day each, so by
                // id. The reply is the last refusal, room-b's.
                #expect(
                    try await client.call(
                        Requests.hold("room-b", "2027-01-05T10:30:00Z", "2027-01-05T11:00:00Z", op: "book")
                    ).ok)
                let pool = try await client.call([
                    "op": "hold", "pool": ["room-a", "room-b"], "start": "2027-01-05T10:30:00Z",
                    "end": "2027-01-05T10:45:00Z", "customer": "x",
                ])
                #expect(pool.errorCode == "slot_unavailable")
                #expect(pool["error"]?["tried"] == "room-a,room-b", "\(pool)")
                #expect(pool["error"]?["reason"] == "capacity")
                #expect(pool["error"]?["conflict_start"] == "2027-01-05T10:30:00Z")
                #expect(pool["error"]?["conflict_end"] == "2027-01-05T10:45:00Z")
                // A pool member that is free is still simply booked, without refusal details.
                let free = try await client.call([
                    "op": "hold", "pool": ["room-a", "room-b"], "start": "2027-01-05T12:00:00Z",
                    "end": "2027-01-05T12:15:00Z", "customer": "y",
                ])
                #expect(free["booking"] != nil, "\(free)")
            }
        }
    }

    /// A limit of one reads right: no "1 connections".
    @Test func theConnectionLimitIsASentenceForAnyLimit() async throws {
        try await TestServer.run(configuration: TestServer.configuration { $0.connectionsMax = 1 }) { server in
            try await server.connect { first in
                #expect(try await first.call(["op": "ping"]).ok)
                try await server.connect { second in
                    let reply = try await second.receive()
                    #expect(reply.errorCode == "overloaded")
                    #expect(
                        reply["error"]?["message"]
                            == "the server already has the most connections it serves at once (1)")
                }
            }
        }
    }
}
