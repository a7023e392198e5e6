import Foundation
import SlotAuth
import SlotClient
import SlotTesting
import Testing

/// End to end: the admin token `slotctl token create` makes on a stopped data folder authenticates on the server
/// started afterwards with authentication required, and a wrong secret does not. Needs the `auth` op and slotd's
/// `--auth` flag.
@Suite struct OfflineTokenAuthTests {
    @Test func theBootstrapTokenAuthenticates() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let created = try await ToolProcess.run(
            "slotctl",
            [
                "token", "create", "--role", "admin", "--name", "ops", "--json", "--data-dir", directory.path,
                "--snapshot-dir", directory.appendingPathComponent("snapshots").path,
            ])
        #expect(created.status == 0, "\(created.stderr)")
        let secret = try #require(try created.json()["secret"]?.string)
        let server = try await SlotdProcess(dataDirectory: directory, extraArguments: ["--auth", "required"])
        try await server.connect { (connection: SlotConnection) async throws in
            #expect(try await connection.call(["op": "list_resources"]).errorCode == "unauthenticated")
            let wrong = try await connection.call(["op": "auth", "token": .string(TokenSecret.generate().secret)])
            #expect(wrong.errorCode == "unauthenticated")
        }
        try await server.connect { (connection: SlotConnection) async throws in
            let reply = try await connection.call(["op": "auth", "token": .string(secret)])
            #expect(reply["ok"] == true, "\(reply)")
            #expect(reply["principal"]?["token"] == "t1")
            #expect(reply["principal"]?["name"] == "ops")
            #expect(reply["principal"]?["role"] == "admin")
            #expect(try await connection.call(["op": "list_resources"])["ok"] == true)
        }
        #expect(try await server.terminate() == 0)
    }
}
