import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

extension IdempotentMutationTests.Restart {
    /// Runs `first` on a fresh server (it returns what the retries need), then `retry` on the same server
    /// (`none`), or on one started again from its folder after a clean stop (`journal`) or after a snapshot
    /// (`snapshot`), so a retry is checked against the journal, the snapshot, or the live table.
    func check<State: Sendable>(
        first: (SlotConnection) async throws -> State, retry: (SlotConnection, State) async throws -> Void
    ) async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock(TestServer.epoch)
        let state = try await TestServer.run(dataDirectory: directory, clock: clock) { server in
            try await server.connect { client in
                let state = try await first(client)
                switch self {
                case .none: try await retry(client, state)
                case .journal: break
                case .snapshot: #expect(try await client.call(["op": "snapshot"]).ok)
                }
                return state
            }
        }
        guard self != .none else { return }
        try await TestServer.run(dataDirectory: directory, clock: clock) { server in
            try await server.connect { client in try await retry(client, state) }
        }
    }
}
