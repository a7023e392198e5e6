import SlotDomain

/// Builds calendar text: CRLF line ends, lines folded at 75 octets without splitting a UTF-8 character.
struct ContentLineWriter {
    private(set) var text = ""
    static let lineOctetsMax = 75

    mutating func line(_ content: String) {
        var chunk: [UInt8] = []
        var limit = Self.lineOctetsMax
        var scalarBytes: [UInt8] = []
        for scalar in content.unicodeScalars {
            scalarBytes.removeAll(keepingCapacity: true)
            scalarBytes.append(contentsOf: String(scalar).utf8)
            if chunk.count + scalarBytes.count > limit {
                text += String(decoding: chunk, as: UTF8.self) + "\r\n"
                chunk = [UInt8(ascii: " ")]
                limit = Self.lineOctetsMax
            }
            chunk.append(contentsOf: scalarBytes)
        }
        text += String(decoding: chunk, as: UTF8.self) + "\r\n"
    }

    /// TEXT escaped (RFC 5545 section 3.3.11): backslash, semicolon, comma and line breaks.
    static func escaped(_ value: String) -> String {
        var result = ""
        for character in value {
            switch character {
            case "\\": result += "\\\\"
            case ";": result += "\\;"
            case ",": result += "\\,"
            case "\n", "\r\n", "\r": result += "\\n"
            default: result.append(character)
            }
        }
        return result
    }

    /// `YYYYMMDDTHHMMSS`, the wall time as DATE-TIME text (add `Z` for UTC).
    static func dateTime(_ local: LocalDateTime) -> String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(local.year, 4) + pad(local.month, 2) + pad(local.day, 2) + "T" + pad(local.hour, 2)
            + pad(local.minute, 2) + pad(local.second, 2)
    }

    /// `+0100`, `-0430`, `+053730` (seconds only when not whole minutes).
    static func offset(_ seconds: Int64) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let magnitude = seconds.magnitude
        func two(_ value: UInt64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let text = sign + two(magnitude / 3_600) + two(magnitude / 60 % 60)
        return magnitude % 60 == 0 ? text : text + two(magnitude % 60)
    }
}
