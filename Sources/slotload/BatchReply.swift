/// The reply to one `batch` line, cut into the replies of its ops without parsing them: the server writes each
/// op's own reply, in order, as one element of the top-level `results` array, and slotload reads each element
/// with `ReplyFields` as if it had come on a line of its own.
enum BatchReply: Equatable {
    /// The byte ranges of the elements of `results`, in order.
    case results([Range<Int>])
    /// The whole line was refused (no op ran): every op of it gets this reply.
    case refused
    /// Neither a `results` array that ends nor an error: slotload cannot tell which op got which reply.
    case malformed

    private static let resultsKey = Array(#""results":["#.utf8)

    /// `"results":[` cannot occur inside a string value, whose quotes the server escapes, and no op's own reply
    /// has a `results` field (a batch cannot hold a batch), so its first occurrence opens the line's array.
    init(_ bytes: [UInt8]) {
        guard let found = ReplyFields.find(Self.resultsKey, in: bytes, from: 0) else {
            self = ReplyFields(bytes).ok ? .malformed : .refused
            return
        }
        self = Self.elements(in: bytes, from: found + Self.resultsKey.count).map(BatchReply.results) ?? .malformed
    }

    /// The elements of the array whose first element starts at or after `start`; nil when the array never closes.
    /// Elements are objects (each op's reply); strings are skipped whole, escapes included, so a brace or a
    /// bracket inside a message does not count.
    private static func elements(in bytes: [UInt8], from start: Int) -> [Range<Int>]? {
        var ranges: [Range<Int>] = []
        var depth = 0
        var elementStart = start
        var inString = false
        var escaped = false
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    if depth == 0 { elementStart = index }
                    depth += 1
                case UInt8(ascii: "]") where depth == 0:
                    return ranges
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { ranges.append(elementStart..<(index + 1)) }
                default: break
                }
            }
            index += 1
        }
        return nil
    }
}
