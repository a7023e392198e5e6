/// A request's `trace`: a W3C Trace Context `traceparent` (version 00), checked at the edge and then only logged,
/// echoed in the reply and handed to the tracer as the parent of the request's span. slotd never makes one up.
///
/// Only version 00 is taken: it is the one version defined, and a value slotd echoes and logs must be one it can
/// read whole. Its four parts are `00-<trace id: 32 hex>-<parent id: 16 hex>-<flags: 2 hex>`, lowercase, with
/// neither id all zeros (the specification makes such a value invalid).
public struct TraceParent: Hashable, Sendable, CustomStringConvertible {
    /// The value as sent: exactly `TraceParent.textBytes` bytes.
    public let text: String

    /// `00-` + 32 + `-` + 16 + `-` + 2.
    public static let textBytes = 55
    /// What `"trace":"<value>"` and its comma add to a reply.
    public static let replyFieldBytes = 1 + 7 + 1 + textBytes + 1 + 1

    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == Self.textBytes, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "0"),
            bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-")
        else { return nil }
        let traceID = bytes[3..<35]
        let parentID = bytes[36..<52]
        let flags = bytes[53..<55]
        guard traceID.allSatisfy(Self.isLowerHex), parentID.allSatisfy(Self.isLowerHex),
            flags.allSatisfy(Self.isLowerHex), traceID.contains(where: { $0 != UInt8(ascii: "0") }),
            parentID.contains(where: { $0 != UInt8(ascii: "0") })
        else { return nil }
        self.text = text
    }

    /// The 32 hex digits naming the whole trace.
    public var traceID: Substring { text.dropFirst(3).prefix(32) }
    /// The 16 hex digits naming the client's span: the parent of the request's.
    public var parentID: Substring { text.dropFirst(36).prefix(16) }

    public var description: String { text }

    /// The sentence of the `invalid_request` for a value that is not one.
    public static let format =
        "must be a W3C traceparent of version 00: 00-<32 hex digits>-<16 hex digits>-<2 hex digits>, lowercase, "
        + "neither id all zeros"

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}

extension ReplyEncoder {
    /// `reply` (a whole reply line to a request of `id`) with `"trace":"<trace>"` right after its `ok` member:
    /// `{"id":…,"ok":…,"trace":"…",…}`. Every reply starts with `id` then `ok` (both written here), so the
    /// place is known without reading the reply. Done on the finished line rather than inside every encoder:
    /// the replies the connection's gate writes (rate limits, authentication) get it the same way.
    public static func tracing(_ reply: [UInt8], id: RequestID, trace: TraceParent) -> [UInt8] {
        var idWriter = JSONWriter(capacity: 32)
        id.write(to: &idWriter)
        let okAt = 6 + idWriter.bytes.count + 6  // `{"id":` + id + `,"ok":`
        precondition(reply.count > okAt + 5 && reply.starts(with: Array("{\"id\":".utf8)), "not a reply line")
        let end = okAt + (reply[okAt] == UInt8(ascii: "t") ? 4 : 5)
        var traced: [UInt8] = []
        traced.reserveCapacity(reply.count + TraceParent.replyFieldBytes)
        traced.append(contentsOf: reply[..<end])
        traced.append(contentsOf: ",\"trace\":\"".utf8)
        traced.append(contentsOf: trace.text.utf8)
        traced.append(UInt8(ascii: "\""))
        traced.append(contentsOf: reply[end...])
        return traced
    }
}
