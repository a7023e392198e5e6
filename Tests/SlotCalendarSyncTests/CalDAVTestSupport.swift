import AsyncHTTPClient
import Foundation
import SlotCalendarSync
import SlotDomain
import SlotTesting

/// A Radicale and a client for one test, both stopped whatever happens.
enum CalDAVTestSupport {
    static let username = "practitioner"
    static let password = "correct horse \(UInt32.random(in: 0...UInt32.max))"
    static var credentials: CalendarCredentials { CalendarCredentials(username: username, password: password) }

    static func withRadicale(
        _ configuration: CalDAVClient.Configuration = .init(requestTimeoutSeconds: 10),
        _ body: (RadicaleServer, CalDAVClient) async throws -> Void
    ) async throws {
        let radicale = try await RadicaleServer(username: username, password: password)
        defer { radicale.stop() }
        try await withClient(configuration) { client in try await body(radicale, client) }
    }

    static func withClient(
        _ configuration: CalDAVClient.Configuration, _ body: (CalDAVClient) async throws -> Void
    ) async throws {
        let httpClient = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: CalDAVClient.httpClientConfiguration(connectTimeoutSeconds: 5))
        do {
            try await body(CalDAVClient(httpClient: httpClient, configuration: configuration))
        } catch {
            try await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }

    /// 2027-01-11T08:00:00Z plus `hours`.
    static func instant(hoursAfterMonday hours: Int64) -> Instant {
        Instant(secondsSinceEpoch: 1_799_654_400 + hours * 3600)
    }

    /// A one-event calendar object in UTC.
    static func event(uid: String, start: Instant, minutes: Int64 = 60, summary: String = "busy") -> String {
        func text(_ instant: Instant) -> String {
            let (days, second) = CivilCalendar.split(instant.secondsSinceEpoch)
            let (year, month, day) = CivilCalendar.date(fromDays: days)
            return String(
                format: "%04d%02d%02dT%02d%02d%02dZ", year, month, day, second / 3600, second / 60 % 60, second % 60)
        }
        return [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//slotd tests//EN", "BEGIN:VEVENT", "UID:\(uid)",
            "DTSTAMP:20270101T000000Z", "DTSTART:\(text(start))", "DTEND:\(text(start.adding(seconds: minutes * 60)))",
            "SUMMARY:\(summary)", "END:VEVENT", "END:VCALENDAR", "",
        ].joined(separator: "\r\n")
    }
}
