import Foundation
import SlotClient
import SlotTesting
import Testing

/// Connections must not be held for ever. Idle connections (`idleTimeoutSeconds`), one-byte-a-second
/// senders (`lineCompletionSeconds`) and one client opening many connections (`connectionsPerAddressMax`) each
/// lose their place, with a last error line and a log line; a client that keeps working is not disturbed.
@Suite(.serialized) struct HeldConnectionTests {
    /// The server's log lines with this message, parsed.
    static func logged(_ message: String, in file: URL) throws -> [JSONValue] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONValue.parse(String($0)) }
            .filter { $0["message"]?.string == message }
    }

    static func start(_ directory: URL, _ arguments: [String]) async throws -> (SlotdProcess, URL) {
        let log = directory.appendingPathComponent("stderr.txt")
        return (
            try await SlotdProcess(dataDirectory: directory, extraArguments: arguments, logLevel: "info", stderr: log),
            log
        )
    }

    /// Reads what is left on a connection the server is about to close: its last line, or nil if it closed first.
    static func lastLine(_ client: SlotConnection) async -> JSONValue? {
        var last: JSONValue?
        for _ in 0..<100 {
            guard let line = try? await client.receive() else { break }
            last = line
        }
        return last
    }

    @Test func slowlorisSendersAreClosedWithLineTimeout() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (server, log) = try await Self.start(directory, ["--line-completion-seconds", "2"])
        let attackers = 20
        let before = try #require(server.cost)
        let started = ContinuousClock.now
        let (lasts, probe) = try await PingProbe.whilePinging(port: server.port) {
            try await withThrowingTaskGroup(of: JSONValue?.self) { group in
                for _ in 0..<attackers {
                    group.addTask {
                        try await SlotConnection.withConnection(port: server.port) { client in
                            // A byte every 200 ms of a line that never ends; bounded at 80 bytes (16 s).
                            let line = #"{"id":1,"op":"ping","padding":""# + String(repeating: "a", count: 60)
                            for byte in Array(line.utf8).prefix(80) {
                                do { try await client.sendRaw([byte]) } catch { break }
                                try await Task.sleep(for: .milliseconds(200))
                            }
                            return await Self.lastLine(client)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        let elapsed = ContinuousClock.now - started
        // The line's deadline is 2 s after its first byte, checked four times a second: all closed long before the
        // 16 s of bytes ran out (20 clients started within a few hundred ms; a loaded machine adds seconds).
        #expect(elapsed < .seconds(12), "took \(elapsed)")
        #expect(lasts.count == attackers)
        for last in lasts {
            #expect(last?["error"]?["code"] == "line_timeout")
            #expect(last?["error"]?["limit_seconds"] == "2")
        }
        // Harmless to others: pings meanwhile within the harness's bound (typically a few ms).
        #expect(await probe.failures.isEmpty)
        let slowest = await probe.slowestMilliseconds
        #expect(slowest < PingProbe.slowestMillisecondsBound, "slowest ping \(slowest) ms")
        let after = try #require(server.cost, "the server is still running")
        #expect(after.cpuSeconds - before.cpuSeconds < 5)
        #expect(after.residentBytes < before.residentBytes + 50 * 1_048_576)
        #expect(try await server.terminate() == 0)
        let closed = try Self.logged("connection closed: line not completed", in: log)
        #expect(closed.count == attackers)
        #expect(closed.first?["limit_seconds"] == "2")
        #expect(closed.first?["level"] == "notice")
    }

    @Test func idleConnectionsAreClosedAndBusyOnesAreNot() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (server, log) = try await Self.start(directory, ["--idle-timeout-seconds", "2"])
        let started = ContinuousClock.now
        // The probe pings every 20 ms throughout, on its own connection: it must never be closed.
        let ((last, elapsed), probe) = try await PingProbe.whilePinging(port: server.port) { probe in
            let last = try await SlotConnection.withConnection(port: server.port) { client in
                let pinged = try await client.call(["op": "ping"])
                #expect(pinged.ok)
                return await Self.lastLine(client)
            }
            let elapsed = ContinuousClock.now - started
            // The probe's connection opened before the idle one and kept working: it is still answered after the
            // idle one was closed. (Not a count of pings: a loaded 2-core machine can stretch its sleeps.)
            #expect(await probe.answers(beyond: probe.pings))
            return (last, elapsed)
        }
        #expect(last?["error"]?["code"] == "idle_timeout")
        #expect(last?["error"]?["limit_seconds"] == "2")
        #expect(elapsed >= .seconds(2) && elapsed < .seconds(5), "closed after \(elapsed)")
        #expect(await probe.failures.isEmpty)
        let slowest = await probe.slowestMilliseconds
        #expect(slowest < PingProbe.slowestMillisecondsBound, "slowest ping \(slowest) ms")
        #expect(try await server.terminate() == 0)
        let closed = try Self.logged("connection closed: idle", in: log)
        #expect(closed.count == 1)
        #expect(closed.first?["peer"] == "127.0.0.1")
    }

    /// A connection that holds replies its client never takes is not idle in the usual sense (something is in
    /// flight), but it holds its place and its memory for nothing: closed after the idle timeout too.
    @Test func aClientThatTakesNoneOfItsRepliesIsClosedAfterTheIdleTimeout() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (server, log) = try await Self.start(directory, ["--idle-timeout-seconds", "2"])
        let created = try await SlotConnection.withConnection(port: server.port) {
            try await $0.call(Requests.createResource("r", extra: ["slot_minutes": 1]))
        }
        #expect(created.ok)
        let (from, to) = OversizedReplyTests.range()
        let query: JSONValue = ["op": "availability", "resource": "r", "from": from, "to": to, "duration_minutes": 1]
        // Before connecting: the server may accept and first see the connection before `connect` returns here.
        let started = ContinuousClock.now
        let attacker = try UnreadRepliesTests.NonReader(port: server.port)
        defer { attacker.disconnect() }
        let (_, probe) = try await PingProbe.whilePinging(port: server.port) {
            #expect(attacker.send(String(repeating: query.jsonText + "\n", count: 5)))
            // Bounded: 30 s for a debug server to answer the first queries and then give up on the client.
            for _ in 0..<300 {
                if try String(contentsOf: log, encoding: .utf8).contains("replies not read") { break }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .seconds(2), "closed after \(elapsed)")
        #expect(await attacker.closedByServer(withinSeconds: 5))
        #expect(await probe.failures.isEmpty)
        let slowest = await probe.slowestMilliseconds
        #expect(slowest < PingProbe.slowestMillisecondsBound, "slowest ping \(slowest) ms")
        #expect(try await server.terminate() == 0)
        let closed = try Self.logged("connection closed: replies not read", in: log)
        #expect(closed.count == 1)
        #expect(closed.first?["limit_seconds"] == "2")
        // The probe pinged every 20 ms throughout and was never taken for idle.
        #expect(try Self.logged("connection closed: idle", in: log).isEmpty)
    }

    @Test func oneAddressGetsAtMostItsShareOfConnections() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Every test client is on 127.0.0.1, so the limit is set low: 4, the probe's connection among them.
        let (server, log) = try await Self.start(directory, ["--max-connections-per-address", "4"])
        let before = try #require(server.cost)
        let (refusals, probe) = try await PingProbe.whilePinging(port: server.port) {
            try await SlotConnection.withConnection(port: server.port) { first in
                try await SlotConnection.withConnection(port: server.port) { second in
                    try await SlotConnection.withConnection(port: server.port) { third in
                        for client in [first, second, third] { #expect(try await client.call(["op": "ping"]).ok) }
                        // The probe is the fourth; each further one is refused, however many are tried.
                        var refusals: [JSONValue] = []
                        for _ in 0..<20 {
                            refusals.append(
                                try await SlotConnection.withConnection(port: server.port) { try await $0.receive() })
                        }
                        return refusals
                    }
                }
            }
        }
        #expect(refusals.count == 20)
        for refusal in refusals {
            #expect(refusal["error"]?["code"] == "overloaded")
            #expect(refusal["error"]?["limit"] == "4")
            #expect(refusal["error"]?["scope"] == "address")
        }
        #expect(await probe.failures.isEmpty)
        let slowest = await probe.slowestMilliseconds
        #expect(slowest < PingProbe.slowestMillisecondsBound, "slowest ping \(slowest) ms")
        // Once they are closed, the address has room again (the server notices the closes within moments).
        var admitted = false
        var retries = 0
        for _ in 0..<50 where !admitted {
            admitted =
                (try? await SlotConnection.withConnection(port: server.port) { try await $0.call(["op": "ping"]).ok })
                ?? false
            if !admitted {
                retries += 1
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(admitted)
        let after = try #require(server.cost, "the server is still running")
        #expect(after.cpuSeconds - before.cpuSeconds < 5)
        #expect(try await server.terminate() == 0)
        // The 20, and any retry above refused because the server had not yet seen the first connections close.
        let refusalsLogged = try Self.logged("connection refused: limit per address reached", in: log).count
        #expect(refusalsLogged >= 20 && refusalsLogged <= 20 + retries, "\(refusalsLogged) logged, \(retries) retries")
    }
}
