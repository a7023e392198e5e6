import Foundation
import SlotClient
import Testing

/// How a connection ends (docs/OPERATIONS.md, "Stopping"; docs/PROTOCOL.md): whether the client stops sending or
/// the server shuts down, every request the server has read gets its whole reply before the connection closes,
/// however slowly the client reads.
@Suite struct ConnectionEndTests {
    /// 400 availability queries over a month of free 15-minute slots (~68 KB a reply, far more than the socket
    /// buffers hold), then one booking. The server is still writing to a client that reads nothing yet.
    struct Burst {
        static let queries = 400
        let text: String

        init() {
            let tomorrowSeconds = (Int64(Date().timeIntervalSince1970) / 86_400 + 1) * 86_400
            let from = Date(timeIntervalSince1970: TimeInterval(tomorrowSeconds))
            let format = ISO8601DateFormatter()
            let query: JSONValue = [
                "op": "availability", "resource": "r", "from": .string(format.string(from: from)),
                "to": .string(format.string(from: from.addingTimeInterval(30 * 86_400))), "duration_minutes": 15,
            ]
            let book = Requests.hold(
                "r", format.string(from: from), format.string(from: from.addingTimeInterval(900)), op: "book")
            text = String(repeating: query.jsonText + "\n", count: Self.queries) + book.jsonText + "\n"
        }

        /// Waits until the burst's booking exists (up to a minute: a debug server in a parallel test run is slow).
        /// A connection's requests are decided in order, so every query before it has been answered too, and the
        /// replies wait to be read.
        static func awaitDecided(_ observer: SlotConnection) async throws {
            for _ in 0..<3_000 {
                if try await observer.call(["op": "stats"])["stats"]?["bookings"] == 1 { return }
                try await Task.sleep(for: .milliseconds(20))
            }
            Issue.record("the burst's booking was never made")
        }

        /// Creates the resource, sends the burst on `client`, waits until the server has answered all of it (the
        /// replies unread), then sends SIGTERM.
        static func sendThenStop(_ server: SlotdProcess, client: SlotConnection, observer: SlotConnection)
            async throws
        {
            #expect(try await client.call(Requests.createResource("r"))["ok"] == true)
            try await client.send(String(Burst().text.dropLast()))
            try await awaitDecided(observer)
            kill(server.process.processIdentifier, SIGTERM)
        }

        /// The burst's replies, in order: the same availability each time (nothing was booked before the last
        /// request), then the confirmed booking.
        static func check(_ replies: [[UInt8]]) throws {
            try #require(replies.count == queries + 1)
            let first = try JSONValue.parse(String(decoding: replies[0], as: UTF8.self))
            #expect(first["slots"]?.array?.count == 30 * 96)
            #expect(replies.dropLast().allSatisfy { $0 == replies[0] }, "every availability reply is whole")
            let booked = try JSONValue.parse(String(decoding: replies[queries], as: UTF8.self))
            #expect(booked["booking"]?["state"] == "confirmed")
        }
    }

    @Test func sigtermStopsAcceptingWhileTheOpenConnectionDrains() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await SlotdProcess(dataDirectory: directory)
        try await SlotConnection.withConnection(port: server.port) { observer in
            try await SlotConnection.withConnection(port: server.port) { client in
                try await Burst.sendThenStop(server, client: client, observer: observer)
                var refused = false
                for _ in 0..<250 where !refused {
                    do {
                        try await SlotConnection.withConnection(port: server.port) { _ in }
                        try await Task.sleep(for: .milliseconds(20))
                    } catch SlotClientError.cannotConnect {
                        refused = true
                    }
                }
                #expect(refused, "a new connection is refused once shutdown has begun")
                #expect(server.process.isRunning, "the server is still sending this client its replies")
                var replies: [[UInt8]] = []
                for _ in 0...Burst.queries { replies.append(try await client.receiveBytes()) }
                try Burst.check(replies)
                await #expect(throws: SlotClientError.self, "then the server closes the connection") {
                    try await client.receive()
                }
            }
        }
        #expect(try await server.exitStatus(withinSeconds: 10) == 0)
    }

    /// A client that never reads cannot hold the shutdown: past `--shutdown-drain-seconds` its connection is
    /// closed, the journal is still flushed, and what it booked is there after a restart.
    @Test func aClientThatNeverReadsIsClosedWhenTheDrainTimeIsUp() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("stderr.txt")
        let server = try await SlotdProcess(
            dataDirectory: directory, extraArguments: ["--shutdown-drain-seconds", "1"], logLevel: "notice",
            stderr: log)
        try await SlotConnection.withConnection(port: server.port) { observer in
            try await SlotConnection.withConnection(port: server.port) { client in
                try await Burst.sendThenStop(server, client: client, observer: observer)
                let status = try await server.exitStatus(withinSeconds: 20)
                #expect(status == 0, "the server exits by itself although the client reads nothing")
            }
        }
        let messages = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONValue.parse(String($0)) }
        let drain = messages.first { $0["message"] == "drain time is up; closing the connections still open" }
        #expect(drain?["connections"] == "1", "the idle observer was closed at once")
        #expect(messages.last?["message"] == "journal flushed and closed")
        let restarted = try await SlotdProcess(dataDirectory: directory)
        let stats = try await SlotConnection.withConnection(port: restarted.port) { client in
            try await client.call(["op": "stats"])["stats"]
        }
        #expect(stats?["bookings"] == 1)
        #expect(try await restarted.terminate() == 0)
    }

    /// As `printf '…' | nc`: the client sends everything, closes its sending side, and only then reads.
    @Test func aClientThatClosesItsSendingSideGetsEveryReply() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await SlotdProcess(dataDirectory: directory)
        try await SlotConnection.withConnection(port: server.port) { observer in
            #expect(try await observer.call(Requests.createResource("r"))["ok"] == true)
            let socket = try RawSocket(port: server.port)
            defer { socket.close() }
            try socket.send(Array(Burst().text.utf8))
            shutdown(socket.descriptor, Int32(SHUT_WR))
            try await Burst.awaitDecided(observer)
            let received = try socket.receiveUntilClosed()
            #expect(received.last == UInt8(ascii: "\n"), "the last reply is whole")
            try Burst.check(received.split(separator: UInt8(ascii: "\n")).map(Array.init))
        }
        #expect(try await server.terminate() == 0)
    }
}

/// A blocking TCP socket to 127.0.0.1, for what the client library does not do (closing only the sending side).
struct RawSocket {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        try #require(descriptor >= 0 && connected, "cannot connect to 127.0.0.1:\(port): errno \(errno)")
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            try #require(written > 0, "write failed: errno \(errno)")
            offset += written
        }
    }

    /// Everything the server sends until it closes the connection (each read waits at most 30 s).
    func receiveUntilClosed() throws -> [UInt8] {
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1_024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            try #require(count >= 0, "read failed: errno \(errno)")
            if count == 0 { return received }
            received.append(contentsOf: chunk[..<count])
        }
    }

    func close() {
        _ = Glibc.close(descriptor)
    }
}
