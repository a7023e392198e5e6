import Foundation
import Logging
import SlotClient
import SlotDomain
import SlotJournal
import SlotServer
import SlotTesting
import Testing

/// The in-process entry point the simulation drives: request lines through the real decoder, dispatcher and
/// encoder, the reply's journal position reported (`decide`) or waited for (`send`).
@Suite struct InProcessConnectionTests {
    static func withRuntime(_ body: (SlotRuntime) async throws -> Void) async throws {
        var configuration = ServerConfiguration()
        configuration.dataDirectory = TestServer.temporaryDirectory()
        configuration.snapshotDirectory = configuration.dataDirectory.appendingPathComponent("snapshots")
        configuration.journal.writer = .manual
        defer { try? FileManager.default.removeItem(at: configuration.dataDirectory) }
        let logger = Logger(label: "in-process-test") { _ in SwiftLogNoOpLogHandler() }
        let runtime = try SlotRuntime(
            configuration: configuration, clock: ManualClock(TestServer.epoch), logger: logger)
        defer { runtime.journal.stop() }
        try await body(runtime)
    }

    static func line(_ request: JSONValue) -> [UInt8] { Array(request.jsonText.utf8) }

    @Test func aReplyCarriesTheJournalPositionItWaitsFor() async throws {
        try await Self.withRuntime { runtime async throws in
            let connection = InProcessConnection(runtime: runtime)
            let created = await connection.decide(Self.line(Requests.createResource("desk")))
            #expect(String(decoding: created.bytes, as: UTF8.self).hasSuffix("}\n"))
            #expect(try JSONValue.parse(bytes: Array(created.bytes.dropLast())).ok)
            #expect(created.awaitedSequence == 1)
            #expect(runtime.journal.durableSequence == 0, "decided, not yet committed")
            let refused = await connection.decide(Array("{\"op\":\"hold\"}".utf8))
            #expect(try JSONValue.parse(bytes: Array(refused.bytes.dropLast())).errorCode == "invalid_request")
            #expect(refused.awaitedSequence == 0)
        }
    }

    @Test func sendReturnsOnlyOnceTheReplyIsDurable() async throws {
        try await Self.withRuntime { runtime async throws in
            let connection = InProcessConnection(runtime: runtime)
            let journal = runtime.journal
            let reply = try await withThrowingTaskGroup(of: (bytes: [UInt8], durable: UInt64)?.self) { group in
                group.addTask {
                    let bytes = try await connection.send(Self.line(Requests.createResource("desk")))
                    return (bytes, journal.durableSequence)
                }
                group.addTask {
                    // Commits only once the request is queued, so `send` must have waited for this commit.
                    while journal.appendedSequence == 0 { try await Task.sleep(for: .milliseconds(1)) }
                    _ = try journal.commitQueued()
                    return nil
                }
                var reply: (bytes: [UInt8], durable: UInt64)?
                for try await result in group { reply = reply ?? result }
                return reply
            }
            let (bytes, durableWhenSent) = try #require(reply)
            #expect(try JSONValue.parse(bytes: Array(bytes.dropLast())).ok)
            #expect(durableWhenSent == 1)
        }
    }
}
