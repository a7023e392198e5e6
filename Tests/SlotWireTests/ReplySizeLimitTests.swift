import SlotDomain
import Testing

@testable import SlotWire

/// `replyBytesMax` is checked while a reply is built: the writer stops once past the limit, so a reply too large
/// costs about the limit, not its own size.
@Suite struct ReplySizeLimitTests {
    static let starts = (0..<100_000).map { Instant(secondsSinceEpoch: 1_799_049_600 + Int64($0) * 60) }

    @Test func theWriterStopsOncePastItsLimit() {
        var writer = JSONWriter(bytesMax: 10)
        writer.beginArray()
        for index in 0..<1_000 { writer.integer(index) }
        writer.endArray()
        #expect(writer.isOverLimit)
        // "[0,1,2,3,4" is 10 bytes, at the limit; ",5" took it past, and nothing was written after that.
        #expect(writer.bytes == Array("[0,1,2,3,4,5".utf8))
    }

    @Test func aReplyUnderTheLimitIsTheSameAsWithoutOne() throws {
        let unlimited = try #require(ReplyEncoder.success(id: .integer(1), .slots(Array(Self.starts.prefix(10)))))
        let limited = ReplyEncoder.success(
            id: .integer(1), .slots(Array(Self.starts.prefix(10))), bytesMax: unlimited.count)
        #expect(limited == unlimited)
        #expect(
            ReplyEncoder.success(id: .integer(1), .slots(Array(Self.starts.prefix(10))), bytesMax: unlimited.count - 1)
                == nil)
    }

    @Test func aReplyOverTheLimitIsNotBuiltWhole() {
        // 100,000 starts with their wall times would be about 5 MB.
        #expect(ReplyEncoder.success(id: .null, .slots(Self.starts), zone: .gmt, bytesMax: 65_536) == nil)
        var writer = JSONWriter(bytesMax: 65_536)
        ReplyEncoder.write(.slots(Self.starts), zone: .gmt, to: &writer)
        #expect(writer.bytes.count < 65_536 + 64)
    }
}
