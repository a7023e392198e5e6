import Foundation

/// A direct JSON parser into `JSONValue`, for request lines on the server and replies in clients, instead of
/// Foundation's `JSONDecoder`, whose generic `Decodable` machinery costs more than the rest of a request and
/// throws once per wrong guess when probing types (docs/decisions/0005-hand-written-json.md).
/// Strict RFC 8259 (no trailing commas, no comments, UTF-8 checked); nesting is bounded, and a name may appear
/// only once in an object.
struct JSONParser {
    /// Most arrays and objects inside one another.
    static let depthMax = 512
    /// Bytes that may appear in a JSON number.
    static let numberBytes: Set<UInt8> = Set("0123456789.eE+-".utf8)
    private let bytes: [UInt8]
    private var index = 0

    enum Failure: Error { case invalid(offset: Int) }

    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw Failure.invalid(offset: parser.index) }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func failure() -> Failure { .invalid(offset: index) }

    private mutating func value(depth: Int) throws -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw failure() }
        switch bytes[index] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < Self.depthMax else { throw JSONNestingTooDeep(depthMax: Self.depthMax, offset: index) }
            return bytes[index] == UInt8(ascii: "{") ? try object(depth: depth) : try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    private mutating func literal(_ text: StaticString, _ value: JSONValue) throws -> JSONValue {
        let count = text.utf8CodeUnitCount
        let start = index
        let matches = text.withUTF8Buffer { literal in
            start + count <= bytes.count && (0..<count).allSatisfy { bytes[start + $0] == literal[$0] }
        }
        guard matches else { throw failure() }
        index += count
        return value
    }

    private mutating func object(depth: Int) throws -> JSONValue {
        index += 1
        // Requests have up to a dozen fields: room for them at once, instead of growing 1, 2, 4, 8, 16.
        var members: [String: JSONValue] = [:]
        members.reserveCapacity(12)
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure() }
            let key = try string()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure() }
            index += 1
            let member = try value(depth: depth + 1)
            // RFC 8259 leaves a repeated name to the reader; taking one of them would let two readers of the same
            // line (a proxy that checked it, and this server) see different requests.
            guard members.updateValue(member, forKey: key) == nil else {
                throw JSONRepeatedMember(name: key, offset: index)
            }
            skipWhitespace()
            guard index < bytes.count else { throw failure() }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            } else {
                throw failure()
            }
        }
    }

    private mutating func array(depth: Int) throws -> JSONValue {
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            elements.append(try value(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw failure() }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            } else {
                throw failure()
            }
        }
    }

    private mutating func string() throws -> String {
        index += 1
        // Most strings have no escapes: scan to the closing quote and make the String from the bytes in place.
        var end = index
        var ascii = true
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"),
            bytes[end] >= 0x20
        {
            ascii = ascii && bytes[end] < 0x80
            end += 1
        }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            // ASCII is valid UTF-8 as it stands; the validating initializer, generic over the encoding and
            // looking up its metadata on every call, is kept for the rest.
            let text: String
            if ascii {
                text = String(decoding: bytes[index..<end], as: UTF8.self)
            } else {
                guard let valid = String(validating: bytes[index..<end], as: UTF8.self) else { throw failure() }
                text = valid
            }
            index = end + 1
            return text
        }
        var scalars: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: scalars, as: UTF8.self) else { throw failure() }
                return text
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw failure() }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escaped)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"): scalars.append(contentsOf: try unicodeEscape())
                default: throw failure()
                }
            case 0..<0x20:
                throw failure()
            default:
                scalars.append(byte)
            }
        }
        throw failure()
    }

    /// `\uXXXX`, with surrogate pairs, as UTF-8 bytes.
    private mutating func unicodeEscape() throws -> [UInt8] {
        var code = try hex4()
        if (0xD800..<0xDC00).contains(code) {
            guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else { throw failure() }
            index += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw failure() }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(code) {
            throw failure()
        }
        guard let scalar = Unicode.Scalar(code) else { throw failure() }
        return Array(String(Character(scalar)).utf8)
    }

    /// Exactly four hex digits, as RFC 8259 writes `\uXXXX`. Not `UInt32(_:radix:)`, which takes a sign too
    /// (`\u+041`, `\u-000`).
    private mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure() }
        var value: UInt32 = 0
        for byte in bytes[index..<(index + 4)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure()
            }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }

    private mutating func number() throws -> JSONValue {
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        // Whole numbers of up to 15 digits (every count, minute and id slotd uses) are computed directly.
        var integer: Int64 = 0
        var digits = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            integer = integer &* 10 &+ Int64(bytes[index] - UInt8(ascii: "0"))
            digits += 1
            index += 1
        }
        let leadingZero = digits > 1 && bytes[index - digits] == UInt8(ascii: "0")
        let ended = index == bytes.count || !Self.numberBytes.contains(bytes[index])
        if ended, digits >= 1, digits <= 15, !leadingZero {
            return .number(Double(bytes[start] == UInt8(ascii: "-") ? -integer : integer))
        }
        while index < bytes.count, Self.numberBytes.contains(bytes[index]) { index += 1 }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        // A number too large for a Double (`1e400`) is still JSON: it becomes ±infinity here, and the field that
        // receives it refuses it as out of range, naming the field.
        guard !text.isEmpty, text != "-", let value = Double(text), Self.isJSONNumber(text) else {
            throw failure()
        }
        return .number(value)
    }

    /// `Double(_:)` accepts more than JSON does (`+1`, `.5`, `01`, `1.`): check the grammar.
    static func isJSONNumber(_ text: String) -> Bool {
        var characters = Array(text.utf8)[...]
        if characters.first == UInt8(ascii: "-") { characters = characters.dropFirst() }
        let integer = characters.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard !integer.isEmpty, integer.count == 1 || integer.first != UInt8(ascii: "0") else { return false }
        characters = characters.dropFirst(integer.count)
        if characters.first == UInt8(ascii: ".") {
            characters = characters.dropFirst()
            let fraction = characters.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            guard !fraction.isEmpty else { return false }
            characters = characters.dropFirst(fraction.count)
        }
        if characters.first == UInt8(ascii: "e") || characters.first == UInt8(ascii: "E") {
            characters = characters.dropFirst()
            if characters.first == UInt8(ascii: "+") || characters.first == UInt8(ascii: "-") {
                characters = characters.dropFirst()
            }
            let exponent = characters.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            guard !exponent.isEmpty else { return false }
            characters = characters.dropFirst(exponent.count)
        }
        return characters.isEmpty
    }
}

/// The text opens more than `depthMax` arrays and objects inside one another (at `offset`, the one too many).
/// Reported apart from a syntax error because the text may well be valid JSON: a reader that recursed on would
/// run out of stack.
public struct JSONNestingTooDeep: Error, Equatable {
    public var depthMax: Int
    public var offset: Int
}

/// An object in the text names the same member twice (at `offset`, just after the second value).
public struct JSONRepeatedMember: Error, Equatable {
    public var name: String
    public var offset: Int
}
