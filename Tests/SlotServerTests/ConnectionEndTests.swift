import Foundation
import SlotClient
import SlotTesting
import Testing

extension ReplyBurstSuites {
    /// How a connection ends (docs/OPERATIONS.md, "Stopping"; docs/PROTOCOL.md): whether the client stops sending or
    /// the server shuts down, every reply the server owes arrives whole before the connection closes, however
    /// slowly the client reads, and the close is clean.
    @Suite struct ConnectionEndTests {
        /// Creates the resource, sends a `ReplyBurst` on `client` and waits until the server has stopped reading it
        /// (the replies unread), then sends SIGTERM. Returns the bookings made.
        static func sendThenStop(
            _ server: SlotdProcess, client: SlotConnection, observer: SlotConnection, signal: Bool = true
        ) async throws -> Int {
            #expect(try await client.call(ReplyBurst.createResource())["ok"] == true)
            try await client.send(String(ReplyBurst.fromTomorrow().text.dropLast()))
            let held = try await ReplyBurst.awaitHeld(observer)
            #expect(held > 0 && held < ReplyBurst.pairs, "the server stopped reading at \(held) pairs")
            if signal { kill(server.process.processIdentifier, SIGTERM) }
            return held
        }

        /// Creates the resource and sends a `ReplyBurst` through a raw socket; runs `body` with an observer connection
        /// and the socket, the burst's replies still unread.
        static func sendingRawBurst(
            to server: SlotdProcess, _ body: (SlotConnection, RawSocket) async throws -> Void
        ) async throws {
            try await SlotConnection.withConnection(port: server.port) { observer in
                #expect(try await observer.call(ReplyBurst.createResource())["ok"] == true)
                let socket = try RawSocket(port: server.port)
                defer { socket.close() }
                try socket.send(Array(ReplyBurst.fromTomorrow().text.utf8))
                try await body(observer, socket)
            }
        }

        /// On SIGTERM: new connections are refused at once, while a held connection keeps the server draining; a
        /// client that sent a few large queries and had not read their replies yet still gets every one, whole.
        @Test func sigtermStopsAcceptingWhileTheOpenConnectionsDrain() async throws {
            let directory = TestServer.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let server = try await SlotdProcess(
                dataDirectory: directory, extraArguments: ["--shutdown-drain-seconds", "5"])
            // Five pairs, on a resource of their own: small enough that the server reads all of them at once.
            let few = ReplyBurst.fromTomorrow(resource: "s").text.split(separator: "\n").prefix(10)
            try await SlotConnection.withConnection(port: server.port) { observer in
                try await SlotConnection.withConnection(port: server.port) { reader in
                    try await SlotConnection.withConnection(port: server.port) { held in
                        let heldPairs = try await Self.sendThenStop(
                            server, client: held, observer: observer, signal: false)
                        #expect(try await reader.call(ReplyBurst.createResource("s"))["ok"] == true)
                        try await reader.send(few.joined(separator: "\n"))
                        for _ in 0..<3_000 where try await ReplyBurst.bookings(observer) < heldPairs + 5 {
                            try await Task.sleep(for: .milliseconds(20))
                        }
                        kill(server.process.processIdentifier, SIGTERM)
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
                        #expect(server.process.isRunning, "the server is still draining the held connection")
                        // Every reply, whole (a cut line would throw here) and in order; then a clean close.
                        var replies: [[UInt8]] = []
                        while true {
                            do { replies.append(try await reader.receiveBytes()) } catch SlotClientError
                                .connectionClosed
                            {
                                break
                            }
                        }
                        #expect(replies.count == 10)
                        try ReplyBurst.check(replies)
                    }
                }
            }
            #expect(try await server.exitStatus(withinSeconds: 20) == 0)
        }

        /// A client that had pipelined more than the server took in when SIGTERM came (held back by the reply byte
        /// limit) reads every reply the server owes it, whole, and then a clean end of file. The requests the
        /// server had not taken in are never executed. Closing with them still unread in the socket would make the
        /// kernel send a reset, which throws away the replies still on their way (the read fails with ECONNRESET).
        @Test func aClientHeldBackAtShutdownReadsEveryReplyThenTheEnd() async throws {
            let directory = TestServer.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let server = try await SlotdProcess(dataDirectory: directory)
            try await Self.sendingRawBurst(to: server) { observer, socket in
                let held = try await ReplyBurst.awaitHeld(observer)
                #expect(held > 0 && held < ReplyBurst.pairs, "the server stopped reading at \(held) pairs")
                kill(server.process.processIdentifier, SIGTERM)
                // Slowly, so that the server is still sending when it has decided its last request.
                let received = try socket.receiveUntilClosed(pauseMicroseconds: 2_000)
                let replies = ReplyBurst.lines(received)
                // The request the reader held when the signal came is answered too: a query or a booking.
                #expect(replies.count == 2 * held || replies.count == 2 * held + 1, "\(replies.count) replies")
                try ReplyBurst.check(replies)
            }
            #expect(try await server.exitStatus(withinSeconds: 20) == 0)
            let restarted = try await SlotdProcess(dataDirectory: directory)
            let bookings = try await SlotConnection.withConnection(port: restarted.port) { client in
                try await ReplyBurst.bookings(client)
            }
            #expect(bookings < ReplyBurst.pairs, "the requests not taken in were not executed")
            #expect(try await restarted.terminate() == 0)
        }

        /// A client that neither reads nor closes holds a shutdown only for the linger time (2 s), not for the
        /// drain time (30 s): then its connection is closed, and what it has not read yet is still there to read.
        @Test func aClientThatIgnoresTheEndHoldsTheShutdownOnlyForTheLingerTime() async throws {
            let directory = TestServer.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let log = directory.appendingPathComponent("stderr.txt")
            let server = try await SlotdProcess(dataDirectory: directory, logLevel: "notice", stderr: log)
            let socket = try RawSocket(port: server.port)
            defer { socket.close() }
            try socket.send(Array(#"{"id":1,"op":"ping"}"#.utf8) + [UInt8(ascii: "\n")])
            try await SlotConnection.withConnection(port: server.port) { observer in
                for _ in 0..<500 where try await observer.call(["op": "stats"])["stats"]?["connections"] != 2 {
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            kill(server.process.processIdentifier, SIGTERM)
            #expect(try await server.exitStatus(withinSeconds: 20) == 0)
            let messages = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
                .compactMap { try? JSONValue.parse(String($0)) }
            #expect(messages.contains { $0["message"] == "all connections closed" })
            #expect(!messages.contains { $0["message"] == "drain time is up; closing the connections still open" })
            let received = String(decoding: try socket.receiveUntilClosed(), as: UTF8.self)
            #expect(received.hasPrefix(#"{"id":1,"ok":true"#) && received.hasSuffix("\n"), "\(received)")
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
            let held = try await SlotConnection.withConnection(port: server.port) { observer in
                try await SlotConnection.withConnection(port: server.port) { client in
                    let held = try await Self.sendThenStop(server, client: client, observer: observer)
                    let status = try await server.exitStatus(withinSeconds: 20)
                    #expect(status == 0, "the server exits by itself although the client reads nothing")
                    return held
                }
            }
            let messages = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
                .compactMap { try? JSONValue.parse(String($0)) }
            let drain = messages.first { $0["message"] == "drain time is up; closing the connections still open" }
            #expect(drain?["connections"] == "1", "the idle observer was closed at once")
            #expect(messages.last?["message"] == "journal flushed and closed")
            let restarted = try await SlotdProcess(dataDirectory: directory)
            let bookings = try await SlotConnection.withConnection(port: restarted.port) { client in
                try await ReplyBurst.bookings(client)
            }
            // It went on with the lines it had already taken in until the drain time was up.
            #expect(bookings >= held && bookings <= ReplyBurst.pairs, "every booking made before the signal survives")
            #expect(try await restarted.terminate() == 0)
        }

        /// As `printf '…' | nc`: the client sends everything, closes its sending side, and only then reads. The
        /// server, held by the unread replies, reads the rest as the client takes them, and answers all of it.
        @Test func aClientThatClosesItsSendingSideGetsEveryReply() async throws {
            let directory = TestServer.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let server = try await SlotdProcess(dataDirectory: directory)
            try await Self.sendingRawBurst(to: server) { observer, socket in
                shutdown(socket.descriptor, Int32(SHUT_WR))
                #expect(try await ReplyBurst.awaitHeld(observer) < ReplyBurst.pairs)
                // Read slowly, so that the socket is still full when the server has answered everything: the
                // replies still waiting in the server then are the ones a close could drop.
                let received = try socket.receiveUntilClosed(pauseMicroseconds: 2_000)
                let replies = ReplyBurst.lines(received)
                #expect(replies.count == 2 * ReplyBurst.pairs)
                try ReplyBurst.check(replies)
            }
            #expect(try await server.terminate() == 0)
        }

        /// With the reply byte limit out of the way, the server answers the whole burst while the client reads
        /// nothing, so 41 MB wait in the server when its input ends. The connection must not close before they are
        /// sent: a close drops whatever is still queued in the channel (swift-nio#2795).
        @Test func repliesQueuedWhenTheInputEndsAreAllSent() async throws {
            let configuration = TestServer.configuration { $0.unsentReplyBytesPerConnectionMax = .max }
            try await TestServer.run(configuration: configuration) { server in
                try await server.connect { observer in
                    #expect(try await observer.call(ReplyBurst.createResource()).ok)
                    let socket = try RawSocket(port: server.port)
                    defer { socket.close() }
                    try socket.send(Array(ReplyBurst.afterManualClockStart().text.utf8))
                    shutdown(socket.descriptor, Int32(SHUT_WR))
                    #expect(try await ReplyBurst.awaitHeld(observer) == ReplyBurst.pairs)
                    // The server runs in this process: read on a thread of its own, not on one of the task pool's.
                    let received = try await withCheckedThrowingContinuation { continuation in
                        Thread { continuation.resume(with: Result { try socket.receiveUntilClosed() }) }.start()
                    }
                    let replies = ReplyBurst.lines(received)
                    #expect(replies.count == 2 * ReplyBurst.pairs)
                    try ReplyBurst.check(replies)
                }
            }
        }
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

    /// Everything the server sends until it closes the connection (each read waits at most 30 s), pausing
    /// `pauseMicroseconds` after each read of at most 64 KB, like a slow client.
    func receiveUntilClosed(pauseMicroseconds: UInt32 = 0) throws -> [UInt8] {
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1_024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            try #require(count >= 0, "read failed: errno \(errno)")
            if count == 0 { return received }
            received.append(contentsOf: chunk[..<count])
            if pauseMicroseconds > 0 { usleep(pauseMicroseconds) }
        }
    }

    func close() {
        _ = Glibc.close(descriptor)
    }
}
