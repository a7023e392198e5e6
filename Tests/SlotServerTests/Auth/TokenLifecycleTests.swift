import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// Tokens over TCP: what needs authentication, revocation and expiry on a connection already authenticated, the
/// lockout after wrong secrets, and a restart that keeps tokens, tenants and the audit trail.
@Suite struct TokenLifecycleTests {
    @Test func withoutATokenOnlyPingAndAuthAreAnswered() async throws {
        try await AuthFixture.run { fixture in
            try await fixture.server.connect { client in
                #expect(try await client.call(["op": "ping"]).ok)
                let refused = try await client.call(["op": "list_resources"])
                #expect(refused.errorCode == "unauthenticated", "\(refused)")
                let principal = try await client.call(["op": "auth", "token": .string(fixture.adminSecret)])
                #expect(principal["principal"]?["name"] == "root" && principal["principal"]?["role"] == "admin")
                #expect(principal["principal"]?["token"] == "t1", "\(principal)")
                #expect(try await client.call(["op": "list_resources"]).ok)
                let again = try await client.call(["op": "auth", "token": .string(fixture.adminSecret)])
                #expect(again.errorCode == "forbidden", "\(again)")
            }
        }
    }

    @Test func aRevokedTokenStopsAtItsConnectionsNextRequest() async throws {
        try await AuthFixture.run { fixture in
            let secret = try await fixture.token("short-lived", role: "reader")
            try await fixture.connect(as: secret) { reader in
                #expect(try await reader.call(["op": "list_resources"]).ok)
                try await fixture.connect { admin in
                    let listed = try await admin.call(["op": "list_tokens"])
                    let id = try #require(
                        listed["tokens"]?.array?.first { $0["name"] == "short-lived" }?["token"], "\(listed)")
                    let revoked = try await admin.call(["op": "revoke_token", "token": id])
                    #expect(revoked["token"]?["revoked_at"] != nil, "\(revoked)")
                    #expect(revoked["secret"] == nil && !"\(listed)".contains(secret))
                }
                let after = try await reader.call(["op": "list_resources"])
                #expect(after.errorCode == "unauthenticated", "\(after)")
            }
            try await fixture.server.connect { client in
                let again = try await client.call(["op": "auth", "token": .string(secret)])
                #expect(again.errorCode == "unauthenticated", "\(again)")
            }
        }
    }

    @Test func theLastUsableAdminTokenCannotBeRevoked() async throws {
        try await AuthFixture.run { fixture in
            try await fixture.connect { admin in
                let refused = try await admin.call(["op": "revoke_token", "token": "t1"])
                #expect(refused.errorCode == "invalid_request" && refused["error"]?["field"] == "token", "\(refused)")
                let spare = try await admin.call(["op": "create_token", "name": "spare", "role": "admin"])
                #expect(spare["token"]?["token"] == "t2", "\(spare)")
                let revoked = try await admin.call(["op": "revoke_token", "token": "t1"])
                #expect(revoked["token"]?["revoked_at"] != nil, "\(revoked)")
                let last = try await admin.call(["op": "revoke_token", "token": "t2"])
                #expect(last.errorCode == "unauthenticated", "its own token was revoked: \(last)")
            }
        }
    }

    @Test func anExpiredTokenStopsAtItsConnectionsNextRequest() async throws {
        try await AuthFixture.run { fixture in
            let secret = try await fixture.token(
                "one-hour", role: "reader", extra: ["expires_at": "2027-01-04T09:00:00Z"])
            try await fixture.connect(as: secret) { reader in
                #expect(try await reader.call(["op": "list_resources"]).ok)
                fixture.clock.advance(seconds: 3_600)
                let after = try await reader.call(["op": "list_resources"])
                #expect(after.errorCode == "unauthenticated", "\(after)")
            }
        }
    }

    @Test func wrongSecretsCloseTheConnectionAndNeverShowUpInReplies() async throws {
        try await AuthFixture.run { fixture in
            try await fixture.server.connect { client in
                let guess = "slotd_" + String(repeating: "A", count: 43)
                for attempt in 1...3 {
                    let reply = try await client.call(["op": "auth", "token": .string(guess)])
                    #expect(reply.errorCode == "unauthenticated", "\(reply)")
                    #expect(!"\(reply)".contains(guess))
                    #expect(("\(reply)".contains("closing")) == (attempt == 3), "\(reply)")
                }
                await #expect(throws: (any Error).self) { _ = try await client.receiveLine() }
            }
        }
    }

    @Test func aRestartKeepsTokensTenantsAndTheAuditTrail() async throws {
        let folder = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let open = TestServer.configuration { $0.auth = .off }
        let secret = try await TestServer.run(dataDirectory: folder, configuration: open) { server in
            try await server.connect { client in
                let created = try await client.call([
                    "op": "create_token", "name": "desk", "role": "operator", "tenant": "acme",
                ])
                let secret = try #require(created["secret"]?.string, "\(created)")
                #expect(try await client.call(["op": "auth", "token": .string(secret)]).ok)
                #expect(try await client.call(Requests.createResource("room")).ok)
                let held = try await client.call(
                    Requests.hold("room", "2027-01-05T09:00:00Z", "2027-01-05T09:30:00Z", extra: ["actor": "agent-7"]))
                #expect(held.ok, "\(held)")
                return secret
            }
        }
        // Restarted as the default on loopback: no token needed, but the connection authenticates to act as one.
        try await TestServer.run(dataDirectory: folder) { server in
            try await server.connect { client in
                let principal = try await client.call(["op": "auth", "token": .string(secret)])
                #expect(principal["principal"]?["tenant"] == "acme", "\(principal)")
                let booking = try await client.call(["op": "get_booking", "booking": "room/1"])["booking"]
                let created = booking?["history"]?.array?.first
                #expect(
                    created?["actor"] == "token:desk" && created?["on_behalf_of"] == "agent-7",
                    "\(String(describing: booking))")
                let resource = try await client.call(["op": "get_resource", "resource": "room"])
                #expect(resource["resource"]?["tenant"] == "acme", "\(resource)")
            }
        }
    }
}
