import SlotDomain

/// The XML bodies slotd sends, built as text: they are few and fixed, and every value put into them is escaped.
enum CalDAVRequestBody {
    static let prolog = #"<?xml version="1.0" encoding="utf-8"?>"#

    static let collectionStatePropfind =
        prolog + #"<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/">"#
        + "<D:prop><D:resourcetype/><CS:getctag/><D:sync-token/><D:supported-report-set/></D:prop></D:propfind>"

    /// RFC 4791 §7.8: every object with a VEVENT overlapping `[from, to)`, with its ETag and text.
    static func calendarQuery(from: Instant, to: Instant) -> String {
        prolog + #"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">"#
            + "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
            + #"<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">"#
            + #"<C:time-range start="\#(utcText(from))" end="\#(utcText(to))"/>"#
            + "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"
    }

    /// RFC 6578 §3.2: an empty token asks for the initial sync.
    static func syncCollection(since token: String?) -> String {
        prolog + #"<D:sync-collection xmlns:D="DAV:">"# + "<D:sync-token>\(escaped(token ?? ""))</D:sync-token>"
            + "<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"
    }

    /// RFC 4791 §7.9.
    static func calendarMultiget(_ hrefs: [String]) -> String {
        prolog + #"<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">"#
            + "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
            + hrefs.map { "<D:href>\(escaped($0))</D:href>" }.joined() + "</C:calendar-multiget>"
    }

    /// RFC 5545's UTC date-time form, `19970714T173000Z`, as RFC 4791's time-range wants it. Instants outside
    /// years 1–9999 are clamped to them (the form has four-digit years).
    static func utcText(_ instant: Instant) -> String {
        let clamped = min(max(instant, Instant.writable.lowerBound), Instant.writable.upperBound)
        let (days, secondOfDay) = CivilCalendar.split(clamped.secondsSinceEpoch)
        let (year, month, day) = CivilCalendar.date(fromDays: days)
        func digits(_ value: Int, _ count: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, count - text.count)) + text
        }
        return digits(year, 4) + digits(month, 2) + digits(day, 2) + "T" + digits(secondOfDay / 3600, 2)
            + digits(secondOfDay / 60 % 60, 2) + digits(secondOfDay % 60, 2) + "Z"
    }

    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }
}
