import Foundation
import SlotClient
import SlotDomain
import SlotServer
import SlotTesting
import Testing

/// A server that requires authentication, and the admin secret to start with. The admin token is created the way
/// an operator without `slotctl` could: on the same data folder, served once without authentication on loopback;
/// so every test here also shows that tokens survive a restart.
struct AuthFixture {
    let server: TestServer
    let adminSecret: String
    let clock: ManualClock

    static func run<Result: Sendable>(
        clock: ManualClock = ManualClock(TestServer.epoch),
        modify: (inout ServerConfiguration) -> Void = { _ in },
        _ body: (AuthFixture) async throws -> Result
    ) async throws -> Result {
        let folder = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let open = TestServer.configuration { $0.auth = .off }
        let adminSecret = try await TestServer.run(dataDirectory: folder, clock: clock, configuration: open) { server in
            try await server.connect { client in
                let created = try await client.call(["op": "create_token", "name": "root", "role": "admin"])
                #expect(created["token"]?["role"] == "admin", "\(created)")
                return try #require(created["secret"]?.string)
            }
        }
        let required = TestServer.configuration {
            $0.auth = .required
            modify(&$0)
        }
        return try await TestServer.run(dataDirectory: folder, clock: clock, configuration: required) { server in
            try await body(AuthFixture(server: server, adminSecret: adminSecret, clock: clock))
        }
    }

    /// Opens a connection authenticated with `secret` (the admin's by default).
    func connect<Result: Sendable>(
        as secret: String? = nil, _ body: (SlotConnection) async throws -> Result
    ) async throws -> Result {
        try await server.connect { client in
            let reply = try await client.call(["op": "auth", "token": .string(secret ?? adminSecret)])
            #expect(reply.ok, "\(reply)")
            return try await body(client)
        }
    }

    /// A new token's secret, created by the admin.
    func token(_ name: String, role: String, extra: [String: JSONValue] = [:]) async throws -> String {
        try await connect { admin in
            var request: [String: JSONValue] = ["op": "create_token", "name": .string(name), "role": .string(role)]
            request.merge(extra) { _, new in new }
            let created = try await admin.call(.object(request))
            return try #require(created["secret"]?.string, "\(created)")
        }
    }
}
