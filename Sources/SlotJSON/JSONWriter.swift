/// Builds one JSON object as UTF-8 bytes, fields in the order written. Replies are a handful of fixed shapes,
/// and writing them directly keeps `"id"` and `"ok"` first for people reading with `nc` and saves a Foundation
/// encoder pass per reply.
///
/// With a `bytesMax`, the writer stops as soon as what it wrote passes that many bytes: every later call writes
/// nothing, and `isOverLimit` says so. A reply that would be too large is then never built whole (hundreds of MB for
/// some queries); the caller discards the partial bytes and loops over long lists stop on `isOverLimit`.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false
    public let bytesMax: Int

    public init(capacity: Int = 256, bytesMax: Int = .max) {
        bytes.reserveCapacity(min(capacity, bytesMax))
        self.bytesMax = bytesMax
    }

    /// True once more than `bytesMax` bytes were written; from then on nothing more is.
    @inline(__always) public var isOverLimit: Bool { bytes.count > bytesMax }

    public mutating func beginObject() {
        if isOverLimit { return }
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func endObject() {
        if isOverLimit { return }
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        if isOverLimit { return }
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func endArray() {
        if isOverLimit { return }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"name":` ; the value written next belongs to it.
    public mutating func key(_ name: String) {
        if isOverLimit { return }
        separate()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func string(_ value: String) {
        if isOverLimit { return }
        separate()
        appendQuoted(value)
        needsComma = true
    }

    public mutating func integer<Value: BinaryInteger>(_ value: Value) {
        if isOverLimit { return }
        separate()
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    public mutating func double(_ value: Double) {
        if isOverLimit { return }
        separate()
        bytes.append(contentsOf: (value.isFinite ? String(value) : "null").utf8)
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        if isOverLimit { return }
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        needsComma = true
    }

    public mutating func null() {
        if isOverLimit { return }
        separate()
        bytes.append(contentsOf: "null".utf8)
        needsComma = true
    }

    /// Appends a value that the caller writes itself, already valid JSON (an RFC 3339 string, say).
    public mutating func raw(_ write: (inout [UInt8]) -> Void) {
        if isOverLimit { return }
        separate()
        write(&bytes)
        needsComma = true
    }

    public mutating func newline() {
        if isOverLimit { return }
        bytes.append(UInt8(ascii: "\n"))
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func appendQuoted(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        // Nearly every string slotd writes (ids, instants, codes) needs no escape: copy it in one go.
        var text = value
        let copied = text.withUTF8 { utf8 -> Bool in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
            else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0f)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
