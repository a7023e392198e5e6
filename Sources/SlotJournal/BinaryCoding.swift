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

    /// Empties the buffer, keeping its memory, once its bytes have been handed on.
    mutating func clear() {
        bytes.removeAll(keepingCapacity: true)
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

/// LEB128 varints (7 bits a byte, low bits first) for journal records: most of a record's numbers are small
/// (sequences, minutes) or share their high bits (instants), so they take 1–5 bytes instead of 8.
extension BinaryWriter {
    mutating func writeVarint(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }

    /// Signed values zigzag-encoded first, so that small negative numbers stay short too.
    mutating func writeVarint(signed value: Int64) {
        writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// A varint length, then the bytes.
    mutating func writeVarintPrefixed<Bytes: Collection<UInt8>>(_ value: Bytes) {
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }
}

extension BinaryReader {
    mutating func readVarint() throws(Truncated) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try read(UInt8.self)
            // Ten bytes at most, and the tenth may only hold the top bit.
            guard shift < 64, shift < 63 || byte <= 1 else { throw Truncated(offset: offset) }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    mutating func readVarintSigned() throws(Truncated) -> Int64 {
        let encoded = try readVarint()
        return Int64(bitPattern: encoded >> 1) ^ -Int64(bitPattern: encoded & 1)
    }

    /// A varint length (at most `maxBytes`), then that many bytes.
    mutating func readVarintPrefixed(maxBytes: Int) throws(Truncated) -> ArraySlice<UInt8> {
        let count = try readVarint()
        guard count <= UInt64(maxBytes) else { throw Truncated(offset: offset) }
        return try readRaw(count: Int(count))
    }
}
