/// The few fields slotload reads from a reply, found by scanning the bytes slotd writes (keys in a fixed order,
/// no whitespace) rather than parsing the whole object: the load generator shares the machine with the server,
/// and every microsecond it spends is one the server cannot use.
struct ReplyFields {
    var ok: Bool
    /// The error code, or `ok` for a success.
    var code: String
    var bookingID: String?
    var state: String?
    var expiresAt: String?

    init(_ bytes: [UInt8]) {
        ok = Self.find(Array("\"ok\":true".utf8), in: bytes, from: 0) != nil
        if ok {
            code = "ok"
            let booking = Self.find(Array("\"booking\":{".utf8), in: bytes, from: 0)
            if let booking {
                bookingID = Self.string(after: "\"id\":\"", in: bytes, from: booking)
                state = Self.string(after: "\"state\":\"", in: bytes, from: booking)
                expiresAt = Self.string(after: "\"expires_at\":\"", in: bytes, from: booking)
            }
        } else {
            code = Self.string(after: "\"code\":\"", in: bytes, from: 0) ?? "unreadable_reply"
        }
    }

    static func string(after key: String, in bytes: [UInt8], from start: Int) -> String? {
        let pattern = Array(key.utf8)
        guard let found = find(pattern, in: bytes, from: start) else { return nil }
        let valueStart = found + pattern.count
        var end = valueStart
        while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += 1 }
        guard end < bytes.count else { return nil }
        return String(decoding: bytes[valueStart..<end], as: UTF8.self)
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
