/// The few fields slotload reads from a reply, found by scanning the bytes slotd writes (keys in a fixed order,
/// no whitespace) rather than parsing the whole object: the load generator shares the machine with the server,
/// and every microsecond it spends is one the server cannot use. Only what every reply needs is read up front.
struct ReplyFields {
    let bytes: [UInt8]
    var ok: Bool
    /// The error code, or `ok` for a success.
    var code: String
    /// The number of the booking in the reply (`r/N`), when there is one.
    var bookingSequence: UInt64?
    /// Where the reply's `booking` object begins.
    private var bookingOffset: Int?

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        ok = Self.find(Self.okTrue, in: bytes, from: 0) != nil
        if ok {
            code = "ok"
            bookingOffset = Self.find(Self.bookingKey, in: bytes, from: 0)
            if let bookingOffset, let id = Self.valueRange(after: Self.idKey, in: bytes, from: bookingOffset) {
                bookingSequence = Self.sequence(in: bytes[id])
            }
        } else {
            code =
                Self.valueRange(after: Self.codeKey, in: bytes, from: 0).map { Self.text(bytes[$0]) }
                ?? "unreadable_reply"
        }
    }

    var expiresAt: String? {
        guard let bookingOffset else { return nil }
        return Self.valueRange(after: Self.expiresKey, in: bytes, from: bookingOffset).map { Self.text(bytes[$0]) }
    }

    private static let okTrue = Array("\"ok\":true".utf8)
    private static let bookingKey = Array("\"booking\":{".utf8)
    private static let idKey = Array("\"id\":\"".utf8)
    private static let codeKey = Array("\"code\":\"".utf8)
    private static let expiresKey = Array("\"expires_at\":\"".utf8)

    private static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    /// The digits after the last `/` of a booking id.
    private static func sequence(in id: ArraySlice<UInt8>) -> UInt64? {
        guard let slash = id.lastIndex(of: UInt8(ascii: "/")), slash + 1 < id.endIndex else { return nil }
        var value: UInt64 = 0
        for byte in id[(slash + 1)...] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value &* 10 &+ UInt64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// The bytes of the string value after `key` (which ends with the opening quote).
    static func valueRange(after key: [UInt8], in bytes: [UInt8], from start: Int) -> Range<Int>? {
        guard let found = find(key, in: bytes, from: start) else { return nil }
        let valueStart = found + key.count
        var end = valueStart
        while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += 1 }
        guard end < bytes.count else { return nil }
        return valueStart..<end
    }

    static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard let first = pattern.first, bytes.count >= pattern.count else { return nil }
        var index = start
        let last = bytes.count - pattern.count
        while index <= last {
            if bytes[index] == first {
                var match = true
                for offset in 1..<pattern.count where bytes[index + offset] != pattern[offset] {
                    match = false
                    break
                }
                if match { return index }
            }
            index += 1
        }
        return nil
    }
}
