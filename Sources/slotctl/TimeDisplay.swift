import Foundation
import SlotDomain
import SlotWire

/// Shows instants in one time zone with its offset: a resource's bookings in the resource's own zone, so
/// `2027-01-11 10:00 +01:00` reads as the appointment people made and still names exactly one instant.
struct ZoneDisplay {
    /// The zone's name as the server stores it.
    let zoneName: String
    /// False when this machine's time-zone data lacks `zoneName`: times are then shown in UTC (and say so).
    let isKnownHere: Bool
    private let minutesFormatter: DateFormatter
    private let secondsFormatter: DateFormatter

    init(zoneName: String) {
        let zone = TimeZone(identifier: zoneName)
        self.zoneName = zoneName
        isKnownHere = zone != nil
        minutesFormatter = Self.formatter("yyyy-MM-dd HH:mm xxx", zone ?? .gmt)
        secondsFormatter = Self.formatter("yyyy-MM-dd HH:mm:ss xxx", zone ?? .gmt)
    }

    private static func formatter(_ format: String, _ zone: TimeZone) -> DateFormatter {
        let formatter = DateFormatter()
        // Fixed pattern and calendar: the output must not change with the operator's locale.
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = zone
        formatter.dateFormat = format
        return formatter
    }

    /// The zone as a heading: `Europe/Berlin`, or a warning when this machine cannot convert to it.
    var heading: String {
        isKnownHere ? zoneName : "\(zoneName) (unknown on this machine: times shown in UTC)"
    }

    /// A booking boundary (always a whole minute): `2027-01-11 10:00 +01:00`.
    func minutes(_ text: String?) -> String {
        format(text, minutesFormatter)
    }

    /// Any other instant, to the second: `2026-11-22 05:49:36 +01:00`.
    func seconds(_ text: String?) -> String {
        format(text, secondsFormatter)
    }

    func minutes(_ instant: Instant) -> String {
        minutesFormatter.string(from: Self.date(instant))
    }

    /// Reply instants are RFC 3339 UTC strings; anything that does not parse is shown as it came.
    private func format(_ text: String?, _ formatter: DateFormatter) -> String {
        guard let text else { return "-" }
        guard let parsed = RFC3339.parse(text) else { return text }
        return formatter.string(from: Self.date(parsed.instant))
    }

    static func date(_ instant: Instant) -> Date {
        Date(timeIntervalSince1970: TimeInterval(instant.secondsSinceEpoch))
    }

    /// The operator's clock, to whole seconds, for defaults such as "from now".
    static func now() -> Instant {
        Instant(secondsSinceEpoch: Int64(Date().timeIntervalSince1970.rounded(.down)))
    }

    /// Seconds from `earlier` to `later`, both RFC 3339 texts from one reply; nil when either does not parse.
    static func seconds(from earlier: String?, to later: String?) -> Int? {
        guard let earlier = earlier.flatMap(RFC3339.parse), let later = later.flatMap(RFC3339.parse) else {
            return nil
        }
        return Int(later.instant.seconds(since: earlier.instant))
    }
}
