import SlotClient
import SlotTesting
import Testing

/// The audit trail tells who did it: the token that sent the request, and whom it says it acted for; never a name
/// of the server's own, whatever a client writes in `actor`.
@Suite struct AuditTrailTests {
    @Test func entriesAreSignedByTheTokenAndTheClientsActorIsOnBehalfOf() async throws {
        try await AuthFixture.run { fixture in
            let desk = try await fixture.token("call-centre", role: "client")
            try await fixture.connect { admin in
                let created = try await admin.call(Requests.createResource("r"))
                #expect(created.ok, "\(created)")
            }
            try await fixture.connect(as: desk) { client in
                #expect(try await client.call(Requests.hold("r", "2027-01-05T09:00:00Z", "2027-01-05T09:30:00Z")).ok)
                let canceled = try await client.call(
                    Requests.move("cancel", "r/1", extra: ["actor": "agent-7", "reason": "asked by phone"]))
                #expect(canceled.ok, "\(canceled)")
                for forged in ["system", "waitlist", "token:root", "Token:root"] {
                    let reply = try await client.call(
                        Requests.move("confirm", "r/1", extra: ["actor": .string(forged)]))
                    #expect(reply.errorCode == "invalid_request" && reply["error"]?["field"] == "actor", "\(reply)")
                }
                let history = try await client.call(["op": "get_booking", "booking": "r/1"])["booking"]?["history"]
                let entries = history?.array ?? []
                #expect(entries.count == 2, "\(String(describing: history))")
                #expect(entries.first?["actor"] == "token:call-centre" && entries.first?["on_behalf_of"] == nil)
                #expect(entries.last?["actor"] == "token:call-centre" && entries.last?["on_behalf_of"] == "agent-7")
            }
        }
    }
}
