import Foundation
import SlotClient
import SlotTesting
import Testing

/// The per-request log lines of docs/OPERATIONS.md: refusals and rejections at `info`, none above it.
@Suite struct RequestLogTests {
    /// The server's log lines with this message, parsed.
    private func logged(_ message: String, in file: URL) throws -> [JSONValue] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONValue.parse(String($0)) }
            .filter { $0["message"]?.string == message }
    }

    private func refuseAndReject(logLevel: String) async throws -> (refused: [JSONValue], rejected: [JSONValue]) {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("stderr.txt")
        let server = try await SlotdProcess(dataDirectory: directory, logLevel: logLevel, stderr: log)
        try await SlotConnection.withConnection(port: server.port) { client in
            _ = try await client.call(Requests.createResource("r"))
            let slot = ("2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z")
            #expect(try await client.call(Requests.hold("r", slot.0, slot.1, op: "book"))["ok"] == true)
            #expect(try await client.call(Requests.hold("r", slot.0, slot.1, op: "book"))["ok"] == false)
            try await client.send("{not json")
            #expect(try await client.receive()["error"]?["code"] == "bad_json")
        }
        #expect(try await server.terminate() == 0)
        return (try logged("request refused", in: log), try logged("request rejected", in: log))
    }

    @Test func refusalsAndRejectionsAreLoggedAtInfoWithTheirContext() async throws {
        let (refused, rejected) = try await refuseAndReject(logLevel: "info")
        #expect(refused.count == 1)
        #expect(refused.first?["error.code"] == "bad_json")
        #expect(rejected.count == 1)
        #expect(rejected.first?["error.code"] == "slot_unavailable")
        #expect(rejected.first?["resource.id"] == "r")
        #expect(rejected.first?["request.start"] == "2027-01-05T10:00:00Z")
        #expect(rejected.first?["level"] == "info")
        // Each line names its request: the connection's number, then the line's (the third line was refused).
        let connection = try #require(rejected.first?["connection.id"]?.string)
        #expect(rejected.first?["request.id"] == .string("\(connection).3"))
        #expect(refused.first?["request.id"] == .string("\(connection).4"))
    }

    @Test func aboveInfoNoRequestIsLogged() async throws {
        let (refused, rejected) = try await refuseAndReject(logLevel: "notice")
        #expect(refused.isEmpty)
        #expect(rejected.isEmpty)
    }
}
