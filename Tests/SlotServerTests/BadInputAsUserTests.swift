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
                                "actor '\(name)' is reserved: slotd signs its own entries as system, waitlist; "
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
}
