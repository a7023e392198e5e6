import Foundation
import SlotClient
import SlotTesting
import Testing

/// docs/OPERATIONS.md "Correlation and tracing" over TCP against a real `slotd`: every line about a request names
/// it (`request.id`, `client.id`, `trace`), the reply echoes its `trace`, and `--log-requests` logs the mutations
/// served.
@Suite struct CorrelationTests {
    static let traces = [
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",
        "00-11111111111111111111111111111111-2222222222222222-01",
        "00-33333333333333333333333333333333-4444444444444444-01",
    ]
    static let slot = ("2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z")

    /// The server's log lines with this message, parsed.
    private func logged(_ message: String, in file: URL) throws -> [JSONValue] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONValue.parse(String($0)) }
            .filter { $0["message"]?.string == message }
    }

    /// Runs `body` against a `slotd` with these flags, then stops it and returns its log file's URL (in a
    /// directory the caller removes).
    private func withServer(
        _ arguments: [String], logLevel: String = "info", _ body: (SlotConnection) async throws -> Void
    ) async throws -> (log: URL, directory: URL) {
        let directory = TestServer.temporaryDirectory()
        let log = directory.appendingPathComponent("stderr.txt")
        let server = try await SlotdProcess(
            dataDirectory: directory, extraArguments: arguments, logLevel: logLevel, stderr: log)
        try await SlotConnection.withConnection(port: server.port) { client in try await body(client) }
        #expect(try await server.terminate() == 0)
        return (log, directory)
    }

    @Test func theReplyEchoesTheTraceRightAfterOk() async throws {
        let (_, directory) = try await withServer([]) { client in
            try await client.send(#"{"id":"p","op":"ping","trace":"\#(Self.traces[0])"}"#)
            #expect(try await client.receiveLine() == #"{"id":"p","ok":true,"trace":"\#(Self.traces[0])"}"#)
            try await client.send(#"{"id":"q","op":"frobnicate","trace":"\#(Self.traces[1])"}"#)
            #expect(
                try await client.receiveLine().hasPrefix(#"{"id":"q","ok":false,"trace":"\#(Self.traces[1])","error""#))
            try await client.send(
                #"{"id":3,"op":"ping","trace":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7"}"#)
            let refused = try await client.receive()
            #expect(refused["error"]?["code"] == "invalid_request")
            #expect(refused["error"]?["field"] == "trace")
            #expect(refused["trace"] == nil)
            try await client.send(#"{"id":4,"op":"ping"}"#)
            #expect(try await client.receiveLine() == #"{"id":4,"ok":true}"#)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func everyRequestLineCarriesRequestClientAndTrace() async throws {
        let (log, directory) = try await withServer(["--log-requests"]) { client in
            let trace: (Int) -> [String: JSONValue] = { ["trace": .string(Self.traces[$0])] }
            var create = Requests.createResource("r", extra: trace(0))
            create = Self.with(create, id: "create-1")
            #expect(try await client.call(create)["trace"] == .string(Self.traces[0]))
            let book = Self.with(Requests.hold("r", Self.slot.0, Self.slot.1, op: "book", extra: trace(1)), id: 7)
            #expect(try await client.call(book)["ok"] == true)
            let again = Self.with(Requests.hold("r", Self.slot.0, Self.slot.1, op: "book", extra: trace(2)), id: 8)
            #expect(try await client.call(again)["error"]?["code"] == "slot_unavailable")
            try await client.send(#"{"id":"bad","op":"hold","resource":"r","trace":"\#(Self.traces[3])"}"#)
            #expect(try await client.receive()["error"]?["code"] == "invalid_request")
            // A read is not a mutation: not logged at info even with --log-requests.
            #expect(try await client.call(Self.with(.object(["op": "ping"]), id: 9))["ok"] == true)
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        let served = try logged("request served", in: log)
        #expect(served.count == 2)
        let connection = try #require(served.first?["connection.id"]?.string)
        #expect(served.map { $0["op"] } == ["create_resource", "book"])
        #expect(served.map { $0["request.id"] } == [.string("\(connection).1"), .string("\(connection).2")])
        #expect(served.map { $0["client.id"] } == ["create-1", "7"])
        #expect(served.map { $0["trace"] } == [.string(Self.traces[0]), .string(Self.traces[1])])
        #expect(served.allSatisfy { $0["resource.id"] == "r" && $0["level"] == "info" })
        for line in served {
            let duration = try #require(line["duration.ms"]?.string.flatMap(Double.init))
            #expect(duration > 0 && duration < 10_000)
        }
        let rejected = try #require(try logged("request rejected", in: log).first)
        #expect(rejected["request.id"] == .string("\(connection).3"))
        #expect(rejected["client.id"] == "8")
        #expect(rejected["trace"] == .string(Self.traces[2]))
        let refused = try #require(try logged("request refused", in: log).first)
        #expect(refused["request.id"] == .string("\(connection).4"))
        #expect(refused["client.id"] == "bad")
        #expect(refused["trace"] == .string(Self.traces[3]))
    }

    @Test func withoutTheFlagMutationsServedAreNotLoggedAtInfo() async throws {
        let (log, directory) = try await withServer([]) { client in
            _ = try await client.call(Requests.createResource("r"))
            #expect(try await client.call(Requests.hold("r", Self.slot.0, Self.slot.1, op: "book"))["ok"] == true)
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try logged("request served", in: log).isEmpty)
    }

    /// A reply kept under an idempotency key is written again for each retry, with the retry's own trace.
    @Test func aRetryEchoesItsOwnTraceNotTheFirstOne() async throws {
        var lines: [String] = []
        let (_, directory) = try await withServer([]) { client in
            _ = try await client.call(Requests.createResource("r"))
            for trace in [Self.traces[0], Self.traces[1], nil] {
                var extra: [String: JSONValue] = ["idempotency_key": "k-1"]
                extra["trace"] = trace.map(JSONValue.string)
                try await client.send(Requests.hold("r", Self.slot.0, Self.slot.1, op: "book", extra: extra))
                lines.append(try await client.receiveLine())
            }
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        let replies = try lines.map { try JSONValue.parse($0) }
        #expect(replies.map { $0["trace"] } == [.string(Self.traces[0]), .string(Self.traces[1]), nil])
        #expect(replies.allSatisfy { $0["booking"]?["id"] == "r/1" })
        // Byte for byte the same reply apart from the trace.
        let untraced = lines.map {
            $0.replacingOccurrences(of: #","trace":"\#(Self.traces[0])""#, with: "")
                .replacingOccurrences(of: #","trace":"\#(Self.traces[1])""#, with: "")
        }
        #expect(Set(untraced).count == 1)
    }

    @Test func aBatchIsOneRequestUnderOneTrace() async throws {
        let (_, directory) = try await withServer([]) { client in
            _ = try await client.call(Requests.createResource("r"))
            let op = Requests.hold("r", Self.slot.0, Self.slot.1, op: "book")
            let batch: JSONValue = .object([
                "id": 1, "op": "batch", "atomic": false, "trace": .string(Self.traces[0]),
                "ops": [op, Self.with(.object(["op": "ping", "trace": .string(Self.traces[1])]), id: "p")],
            ])
            let reply = try await client.call(batch)
            #expect(reply["trace"] == .string(Self.traces[0]))
            #expect(reply["results"]?[0]?["ok"] == true)
            #expect(reply["results"]?[0]?["trace"] == nil)
            #expect(reply["results"]?[1]?["error"]?["field"] == "trace")
            let atomic: JSONValue = .object([
                "id": 2, "op": "batch", "atomic": true,
                "ops": [.object(["op": "cancel", "booking": "r/1", "trace": .string(Self.traces[1])])],
            ])
            let refused = try await client.call(atomic)
            #expect(refused["error"]?["code"] == "batch_refused")
            #expect(refused["error"]?["cause"]?["field"] == "trace")
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private static func with(_ request: JSONValue, id: JSONValue) -> JSONValue {
        guard case .object(var fields) = request else { return request }
        fields["id"] = id
        return .object(fields)
    }
}
