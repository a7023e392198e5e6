import NIOCore
import NIOPosix
import SlotClient
import Testing

/// `SlotConnection` with event lines between replies, against a fake server that writes a fixed script of lines
/// and closes: replies still come to the reply methods in order, events to `receiveEvent` in order, none lost.
@Suite struct ClientEventLineTests {
    final class ScriptedLines: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let script: String

        init(script: String) {
            self.script = script
        }

        func channelActive(context: ChannelHandlerContext) {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: script))).whenComplete { _ in
                channel.close(promise: nil)
            }
            context.fireChannelActive()
        }
    }

    static func withScriptedServer(
        _ lines: [String], _ body: (SlotConnection) async throws -> Void
    ) async throws {
        let script = lines.map { $0 + "\n" }.joined()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptedLines(script: script))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let port = try #require(server.localAddress?.port)
        try await SlotConnection.withConnection(port: port, body)
    }

    static func seq(_ line: [UInt8]) throws -> Double? {
        guard case .object(let outer) = try JSONValue.parse(bytes: line), case .object(let event)? = outer["event"],
            case .number(let seq)? = event["seq"]
        else { return nil }
        return seq
    }

    @Test func repliesAndEventsEachKeepTheirOrder() async throws {
        try await Self.withScriptedServer([
            #"{"event":{"seq":1}}"#, #"{"id":1,"ok":true}"#, #"{"event":{"seq":2}}"#, #"{"event":{"seq":3}}"#,
            #"{"id":2,"ok":false,"error":{"code":"x","message":"y"}}"#, #"{"event":{"seq":4}}"#,
        ]) { connection throws in
            let first = try await connection.receive()
            #expect(first == .object(["id": .number(1), "ok": .bool(true)]))
            let second = try await connection.receiveLine()
            #expect(second.hasPrefix(#"{"id":2,"ok":false"#))
            var seen: [Double?] = []
            for _ in 1...4 { seen.append(try Self.seq(await connection.receiveEvent())) }
            #expect(seen == [1, 2, 3, 4])
            await #expect(throws: SlotClientError.self) { try await connection.receiveEvent() }
        }
    }

    @Test func anEventReaderKeepsTheRepliesItPasses() async throws {
        let lagged = #"{"event":{"type":"stream.lagged","resume_from":9}}"#
        try await Self.withScriptedServer([
            #"{"id":1,"ok":true}"#, #"{"id":2,"ok":true}"#, #"{"event":{"seq":9}}"#, lagged,
        ]) { connection throws in
            let event = try Self.seq(await connection.receiveEvent())
            #expect(event == 9)
            let notice = try await connection.receiveEvent()
            #expect(notice == Array(lagged.utf8))
            let first = try await connection.receiveBytes()
            #expect(first == Array(#"{"id":1,"ok":true}"#.utf8))
            let second = try await connection.receiveLine()
            #expect(second == #"{"id":2,"ok":true}"#)
            await #expect(throws: SlotClientError.self) { try await connection.receiveLine() }
        }
    }
}
