import Foundation
import SlotClient
import SlotTesting
import Testing

/// `erase_customer` and client tokens bound to the customer (decision 0022): revoked, their customer forgotten,
/// and a restart from the erasure's snapshot keeps them so (a snapshot refuses a token with an empty customer).
@Suite struct CustomerErasureTokenTests {
    @Test func aBoundTokenIsRevokedAndForgetsTheCustomerAcrossARestart() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data")
        let alice = CustomerErasureProtocolTests.alice
        let server = try await SlotdProcess(dataDirectory: data)
        try await server.connect { client in
            let created = try await client.call([
                "op": "create_token", "name": "alice-app", "role": "client", "customer": .string(alice),
            ])
            #expect(created["token"]?["customer"] == .string(alice), "\(created)")
            let erased = try await client.call(["op": "erase_customer", "customer": .string(alice)])
            #expect(erased["erased"]?["tokens"] == 1, "\(erased)")
            let listed = try await client.call(["op": "list_tokens"])
            #expect(listed["tokens"]?[0]?["customer"] == .null, "\(listed)")
            #expect(listed["tokens"]?[0]?["revoked_at"] != nil)
        }
        #expect(try await server.terminate() == 0)
        #expect(try CustomerErasureProtocolTests.files(under: data, containing: alice).isEmpty)
        let restarted = try await SlotdProcess(dataDirectory: data)
        try await restarted.connect { client in
            let listed = try await client.call(["op": "list_tokens"])
            #expect(listed["tokens"]?[0]?["name"] == "alice-app", "\(listed)")
            #expect(listed["tokens"]?[0]?["customer"] == .null)
            #expect(listed["tokens"]?[0]?["revoked_at"] != nil)
        }
        #expect(try await restarted.terminate() == 0)
    }
}
