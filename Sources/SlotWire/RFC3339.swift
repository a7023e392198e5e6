import SlotDomain

/// RFC 3339 instants: `2026-11-23T10:00:00Z` or `2026-11-23T11:00:00+01:00`, optional fractional seconds. Parsing
/// is strict (real calendar dates, offsets within ±23:59, no leap second); formatting always writes UTC with `Z`.
/// Written by hand because it is on every request's path and needs no time zone database: the offset is in the
/// text.
public enum RFC3339 {
    public struct Parsed: Hashable, Sendable {
        public var instant: Instant
        /// True when the text carried a non-zero fraction of a second (which no slot boundary has).
        public var hasFraction: Bool
    }

    public static func parse(_ text: String) -> Parsed? {
        var utf8 = Array(text.utf8)
        guard utf8.count >= 20, utf8.count <= 40 else { return nil }
        for index in utf8.indices where utf8[index] == UInt8(ascii: "t") || utf8[index] == UInt8(ascii: "z") {
            utf8[index] -= 32  // RFC 3339 allows lower-case T and Z
        }
        guard let year = digits(utf8, 0, 4), utf8[4] == UInt8(ascii: "-"), let month = digits(utf8, 5, 2),
            utf8[7] == UInt8(ascii: "-"), let day = digits(utf8, 8, 2), utf8[10] == UInt8(ascii: "T"),
            let hour = digits(utf8, 11, 2), utf8[13] == UInt8(ascii: ":"), let minute = digits(utf8, 14, 2),
            utf8[16] == UInt8(ascii: ":"), let second = digits(utf8, 17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= CivilCalendar.daysInMonth(year: year, month: month),
            hour <= 23,
            minute <= 59, second <= 59
        else { return nil }
        var index = 19
        var hasFraction = false
        if utf8[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < utf8.count, isDigit(utf8[index]) {
                if utf8[index] != UInt8(ascii: "0") { hasFraction = true }
                index += 1
            }
            guard index > fractionStart, index - fractionStart <= 9 else { return nil }
        }
        guard index < utf8.count else { return nil }
        var offsetSeconds: Int64 = 0
        if utf8[index] == UInt8(ascii: "Z") {
            index += 1
        } else if utf8[index] == UInt8(ascii: "+") || utf8[index] == UInt8(ascii: "-") {
            guard index + 6 == utf8.count, let offsetHour = digits(utf8, index + 1, 2),
                utf8[index + 3] == UInt8(ascii: ":"), let offsetMinute = digits(utf8, index + 4, 2),
                offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetSeconds = Int64(offsetHour * 3600 + offsetMinute * 60)
            if utf8[index] == UInt8(ascii: "-") { offsetSeconds = -offsetSeconds }
            index += 6
        } else {
            return nil
        }
        guard index == utf8.count else { return nil }
        let days = CivilCalendar.days(year: year, month: month, day: day)
        let local = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        let utc = local - offsetSeconds
        let instant = Instant(secondsSinceEpoch: utc)
        // Every instant must be writable again with a four-digit year, as replies write it.
        guard Instant.writable.contains(instant) else { return nil }
        return Parsed(instant: instant, hasFraction: hasFraction)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    public static func format(_ instant: Instant) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        append(instant, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func append(_ instant: Instant, to bytes: inout [UInt8]) {
        let (days, secondOfDay) = CivilCalendar.split(instant.secondsSinceEpoch)
        let (year, month, day) = CivilCalendar.date(fromDays: days)
        appendTwoDigits(year / 100 % 100, to: &bytes)
        appendTwoDigits(year % 100, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendTwoDigits(month, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendTwoDigits(day, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        appendTwoDigits(secondOfDay / 3_600, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendTwoDigits(secondOfDay / 60 % 60, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendTwoDigits(secondOfDay % 60, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// The two decimal digits of `value` (0...99). Constant divisors, which the compiler turns into
    /// multiplications, where a loop over a variable divisor divides twice per digit. Replies carry three or four
    /// instants and slotload writes two per request, so this runs on both sides of every request.
    @inline(__always)
    private static func appendTwoDigits(_ value: Int, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value / 10))
        bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10))
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func digits(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start + count <= bytes.count else { return nil }
        return DecimalDigits.fixedWidth(bytes[start..<(start + count)], count: count)
    }
}
