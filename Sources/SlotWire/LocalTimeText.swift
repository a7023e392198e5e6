import Foundation
import SlotDomain

/// Wall times on the wire: `2026-03-29T02:30` or `2026-03-29T02:30:00`, no offset (the request's `tz` gives
/// the zone), and instants shown in a zone as `2026-03-29T03:30:00+02:00`.
public enum LocalTimeText {
    public static func parse(_ text: String) -> LocalDateTime? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 16 || utf8.count == 19 else { return nil }
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= utf8.count else { return nil }
            return DecimalDigits.fixedWidth(utf8[start..<(start + count)], count: count)
        }
        guard utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"), utf8[10] == UInt8(ascii: "T"),
            utf8[13] == UInt8(ascii: ":"), let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2)
        else { return nil }
        var second = 0
        if utf8.count == 19 {
            guard utf8[16] == UInt8(ascii: ":"), let value = number(17, 2) else { return nil }
            second = value
        }
        return LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    /// `instant` as a wall time in `zone` with its offset, e.g. `2026-03-29T03:30:00+02:00`. Total: a wall time
    /// past either end of years 0001–9999 (never a booking's, which lies within the horizon) is written with
    /// ISO 8601's expanded year (`+10000-01-01T08:59:59+09:00`) rather than refused.
    public static func format(_ instant: Instant, in zone: TimeZone) -> String {
        let offset = zone.offsetSeconds(at: instant)
        let (days, secondOfDay) = CivilCalendar.split(instant.secondsSinceEpoch + offset)
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        func two<Value: BinaryInteger>(_ value: Value) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let time = "\(two(secondOfDay / 3_600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
        return "\(LocalDate(days: days))T\(time)\(sign)\(two(minutes / 60)):\(two(minutes % 60))"
    }
}
