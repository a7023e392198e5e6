import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

extension ReplyBurstSuites {
    /// docs/PROTOCOL.md, "In-flight limit": a connection whose replies are not being read stops being read from, by
    /// count and by bytes, so it cannot make the server hold more than that for it.
    @Suite struct BackPressureTests {
        @Test func unreadRepliesStopTheReadingAtTheByteLimit() async throws {
            let configuration = TestServer.configuration { $0.unsentReplyBytesPerConnectionMax = 1_048_576 }
            try await TestServer.run(configuration: configuration) { server in
                try await server.connect { observer in
                    try await server.connect { client in
                        #expect(try await client.call(ReplyBurst.createResource()).ok)
                        try await client.send(String(ReplyBurst.afterManualClockStart().text.dropLast()))
                        // Held by the bytes, well before the end: the unread replies are the socket buffers' worth
                        // plus the limit (a few dozen pairs of 200). Without the limit all 200 are read,
                        // since the count allows 1,024 requests.
                        let held = try await ReplyBurst.awaitHeld(observer)
                        #expect(held > 0 && held < ReplyBurst.pairs / 2, "the server stopped reading at \(held) pairs")
                        // Reading lets the server go on: every reply arrives, in order, and every booking is made.
                        var replies: [[UInt8]] = []
                        for _ in 0..<(2 * ReplyBurst.pairs) { replies.append(try await client.receiveBytes()) }
                        try ReplyBurst.check(replies)
                        #expect(try await ReplyBurst.bookings(observer) == ReplyBurst.pairs)
                    }
                }
            }
        }
    }
}
