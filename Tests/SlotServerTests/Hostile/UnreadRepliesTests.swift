import Foundation
import SlotClient
import SlotTesting
import Testing

/// Connections that send large queries and never read their replies. Each one is bounded
/// (`unsentReplyBytesPerConnectionMax`), but together they are bounded only by the server-wide budget
/// (`bufferedBytesMax`): once it is used up the connections behind stop being read, and after
/// `overloadGraceSeconds` the ones furthest behind are closed with `overloaded`. A client that reads is not
/// disturbed.
@Suite(.serialized) struct UnreadRepliesTests {
    /// A client on a plain socket with a small receive buffer that sends and never reads, so that the server's
    /// replies pile up on the server rather than in the test's memory or the kernel's.
    final class NonReader: @unchecked Sendable {
        // @unchecked: `descriptor` is only used by one task at a time.
        private var descriptor: Int32

        init(port: Int) throws {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { throw SlotClientError.connectionClosed }
            var receiveBufferBytes: Int32 = 4_096
            setsockopt(
                descriptor, SOL_SOCKET, SO_RCVBUF, &receiveBufferBytes, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else {
                close(descriptor)
                throw SlotClientError.connectionClosed
            }
        }

        deinit { disconnect() }

        func disconnect() {
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
        }

        func send(_ text: String) -> Bool {
            Array(text.utf8).withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                == text.utf8.count
        }

        /// Whether the server closes this connection within `seconds`: reading (without blocking) finds the end
        /// of the stream or a reset, after whatever replies are still on their way. A closed connection's kernel
        /// send buffer can hold megabytes ahead of the end of the stream, and they come through this socket's small
        /// window a few KB at a time: an empty read means only that the next part is not here yet.
        func closedByServer(withinSeconds seconds: Int) async -> Bool {
            let deadline = ContinuousClock.now + .seconds(seconds)
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while ContinuousClock.now < deadline {
                let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if count == 0 { return true }
                if count < 0 {
                    guard errno == EAGAIN || errno == EWOULDBLOCK else { return true }
                    try? await Task.sleep(for: .milliseconds(5))
                }
            }
            return false
        }
    }

    @Test func connectionsThatNeverReadAreStoppedThenTheFurthestBehindClosed() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("stderr.txt")
        let budgetBytes = 16 * 1_048_576
        let server = try await SlotdProcess(
            dataDirectory: directory,
            extraArguments: [
                "--max-buffered-bytes", "\(budgetBytes)", "--overload-grace-seconds", "2",
                "--max-connections-per-address", "100", "--shutdown-drain-seconds", "2",
            ], logLevel: "notice", stderr: log)
        let created = try await SlotConnection.withConnection(port: server.port) {
            try await $0.call(Requests.createResource("r", extra: ["slot_minutes": 1]))
        }
        #expect(created.ok)
        let (from, to) = OversizedReplyTests.range()
        // About 3 MB of reply each: every minute of 92 days.
        let query: JSONValue = [
            "op": "availability", "resource": "r", "from": from, "to": to, "duration_minutes": 1,
        ]
        let before = try #require(server.cost)
        let attackers = try (0..<8).map { _ in try NonReader(port: server.port) }
        let (_, probe) = try await PingProbe.whilePinging(port: server.port) {
            for attacker in attackers { #expect(attacker.send(String(repeating: query.jsonText + "\n", count: 20))) }
            // Bounded wait (a minute: a debug build on a busy box) for the grace period to end in closes.
            for _ in 0..<600 {
                if try String(contentsOf: log, encoding: .utf8).contains("furthest behind") { break }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let after = try #require(server.cost, "the server is still running")
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONValue.parse(String($0)) }
        let exhausted = lines.filter { $0["message"] == "reply budget exhausted; connections behind stop being read" }
        let closes = lines.filter { $0["message"] == "connection closed: furthest behind over the reply budget" }
        #expect(!exhausted.isEmpty)
        #expect(!closes.isEmpty)
        #expect(closes.first?["limit_bytes"] == .string("\(budgetBytes)"))
        // After the grace period, not before (a sweep every 250 ms: 2 s less one sweep at the earliest).
        if let exhaustedAt = exhausted.first?["ts"]?.string, let closedAt = closes.first?["ts"]?.string {
            let format = ISO8601DateFormatter()
            format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let waited = try #require(format.date(from: closedAt)).timeIntervalSince(
                try #require(format.date(from: exhaustedAt)))
            #expect(waited >= 1.7, "closed \(waited) s after the budget ran out")
        }
        // Those closed see the end of their connection.
        var closed = 0
        for attacker in attackers where closed == 0 {
            if await attacker.closedByServer(withinSeconds: 2) { closed += 1 }
        }
        #expect(closed >= 1, "none of the \(attackers.count) attackers closed")
        // Memory: the budget plus about one reply per connection. Without the budget, these 8 connections would
        // grow the server by about 15 MB for every further 20 queries each.
        #expect(after.peakResidentBytes - before.residentBytes < 100 * 1_048_576, "peak \(after.peakResidentBytes)")
        #expect(await probe.failures.isEmpty)
        // An unrelated client is served throughout, while a debug build computes 3 MB replies on two busy cores.
        let slowest = await probe.slowestMilliseconds
        #expect(slowest < PingProbe.slowestMillisecondsBound, "slowest ping \(slowest) ms")
        for attacker in attackers { attacker.disconnect() }
        #expect(try await server.terminate() == 0)
    }
}
