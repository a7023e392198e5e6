/// Little-endian binary encoding for snapshot files: fixed-width integers and length-prefixed UTF-8 strings.
struct BinaryWriter {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int = 4_096) {
        bytes.reserveCapacity(capacity)
    }

    /// Byte by byte: appending the value's bytes as a buffer went through a generic `append(contentsOf:)` per
    /// integer, a fifth of what encoding a snapshot cost.
    @inline(__always)
    mutating func write<Value: FixedWidthInteger>(_ value: Value) {
        var remaining = value
        for _ in 0..<MemoryLayout<Value>.size {
            bytes.append(UInt8(truncatingIfNeeded: remaining))
            remaining = remaining >> 8
        }
    }

    mutating func write(_ string: String) {
        let utf8 = string.utf8
        write(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    mutating func write(raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }
}

/// Reads what `BinaryWriter` wrote; every read is bounds-checked and a short or malformed input throws.
struct BinaryReader {
    struct Truncated: Error {
        var offset: Int
    }

    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    mutating func read<Value: FixedWidthInteger>(_: Value.Type = Value.self) throws(Truncated) -> Value {
        let size = MemoryLayout<Value>.size
        guard remaining >= size else { throw Truncated(offset: offset) }
        var value: Value = 0
        for index in (0..<size).reversed() {
            value = value << 8 | Value(truncatingIfNeeded: bytes[offset + index])
        }
        offset += size
        return value
    }

    /// A string of at most `maxBytes` UTF-8 bytes.
    mutating func readString(maxBytes: Int = 1_024) throws(Truncated) -> String {
        let count = Int(try read(UInt32.self))
        guard count <= maxBytes, remaining >= count,
            let string = String(validating: bytes[offset..<(offset + count)], as: UTF8.self)
        else { throw Truncated(offset: offset) }
        offset += count
        return string
    }

    mutating func readRaw(count: Int) throws(Truncated) -> ArraySlice<UInt8> {
        guard count >= 0, remaining >= count else { throw Truncated(offset: offset) }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }
}
