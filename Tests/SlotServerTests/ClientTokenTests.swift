import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// The clients' `--token`: `SlotConnection`, slotctl and slotload send `{"op":"auth"}` first and stop with a clear
/// error when the server refuses the token, never showing the secret. Needs the server's `auth` and
/// `create_token` ops (a loopback server without flags lets a connection create tokens without one).
@Suite struct ClientTokenTests {
    static let wrongSecret = "slotd_thisIsNotAValidSecretAtAllButLooksLikeOne0123456"

    /// A new admin token's secret, created over an unauthenticated loopback connection.
    static func adminSecret(_ server: some RunningServer, tls: SlotTLSOptions? = nil) async throws -> String {
        let endpoint = try SlotEndpoint(port: server.port, tls: tls)
        let created = try await SlotConnection.withConnection(to: endpoint) { client in
            try await client.call(["op": "create_token", "name": "ops", "role": "admin"])
        }
        return try #require(created["secret"]?.string, "\(created)")
    }

    @Test func slotConnectionAuthenticatesOrSaysWhyNot() async throws {
        try await TestServer.run { server in
            let secret = try await Self.adminSecret(server)
            let endpoint = try SlotEndpoint(port: server.port, token: secret)
            let listed = try await SlotConnection.withConnection(to: endpoint) { client in
                try await client.call(["op": "list_tokens"])
            }
            #expect(listed.ok, "\(listed)")
            let wrong = try SlotEndpoint(port: server.port, token: Self.wrongSecret)
            do {
                _ = try await SlotConnection.withConnection(to: wrong) { try await $0.call(["op": "ping"]) }
                Issue.record("a wrong token was accepted")
            } catch SlotClientError.authenticationRefused(let code, let message) {
                #expect(code == "unauthenticated")
                #expect(!message.contains(Self.wrongSecret))
            }
        }
    }

    @Test func tokenInsideTLS() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let configuration = TestServer.configuration { $0.tls = certificates.serverFiles() }
        try await TestServer.run(configuration: configuration) { server in
            let secret = try await Self.adminSecret(server, tls: certificates.clientOptions())
            let endpoint = try SlotEndpoint(port: server.port, tls: certificates.clientOptions(), token: secret)
            #expect(try await SlotConnection.withConnection(to: endpoint) { try await $0.call(["op": "ping"]) }.ok)
        }
    }

    @Test func slotctlAndSlotloadTakeTheTokenAndNeverPrintIt() async throws {
        try await TestServer.run(clock: SystemClock()) { server in
            let secret = try await Self.adminSecret(server)
            let port = String(server.port)
            let good = try await ToolProcess.run("slotctl", ["status", "--port", port, "--token", secret])
            #expect(good.status == 0, "\(good.stderr)")
            #expect(!good.stdout.contains(secret) && !good.stderr.contains(secret))
            let refused = try await ToolProcess.run("slotctl", ["status", "--port", port, "--token", Self.wrongSecret])
            #expect(refused.status == 1 && refused.stderr.contains("unauthenticated"), "\(refused.stderr)")
            #expect(!refused.stdout.contains(Self.wrongSecret) && !refused.stderr.contains(Self.wrongSecret))
            let load = try await ToolProcess.run(
                "slotload", ["--port", port, "-c", "2", "-n", "200", "--resources", "5", "--token", secret],
                timeoutSeconds: 60)
            #expect(load.status == 0, "\(load.stdout)\(load.stderr)")
            #expect(!load.stdout.contains(secret) && !load.stderr.contains(secret))
            let refusedLoad = try await ToolProcess.run(
                "slotload", ["--port", port, "-c", "2", "-n", "200", "--resources", "5", "--token", Self.wrongSecret],
                timeoutSeconds: 60)
            #expect(refusedLoad.status != 0 && refusedLoad.stderr.contains("unauthenticated"), "\(refusedLoad.stderr)")
            #expect(!refusedLoad.stdout.contains(Self.wrongSecret) && !refusedLoad.stderr.contains(Self.wrongSecret))
        }
    }
}
