import Foundation
import SlotCalendarSync
import SlotTesting
import Testing

/// Knowing whether a calendar changed, and what changed, on a real Radicale.
@Suite(.serialized, .timeLimit(.minutes(2))) struct CalDAVChangeDetectionTests {
    typealias Support = CalDAVTestSupport

    /// An unchanged calendar costs one PROPFIND, and its markers stay; a PUT changes both.
    @Test func theMarkersChangeAfterAPutAndNotWithoutOne() async throws {
        try await Support.withRadicale { radicale, client in
            let calendar = try await radicale.makeCalendar("work")
            let first = try await client.collectionState(calendar, credentials: Support.credentials)
            #expect(first.isCalendar)
            #expect(first.supportedReports == Set(CollectionState.Report.allCases))
            #expect(first.ctag != nil && first.syncToken != nil)

            let before = radicale.requestsReceived().count
            let unchanged = try await client.collectionState(calendar, credentials: Support.credentials)
            let requests = radicale.requestsReceived().dropFirst(before)
            #expect(requests.map(\.method) == ["PROPFIND"])
            #expect(requests.map(\.path) == ["/\(Support.username)/work/"])
            #expect(unchanged == first)

            try await radicale.putObject(
                Support.event(uid: "new", start: Support.instant(hoursAfterMonday: 1)), named: "new.ics",
                inCalendar: "work")
            let changed = try await client.collectionState(calendar, credentials: Support.credentials)
            #expect(changed.ctag != first.ctag)
            #expect(changed.syncToken != first.syncToken)
            #expect(changed.changeMarker != first.changeMarker)
        }
    }

    @Test func syncCollectionReportsChangesAndRemovalsSinceAToken() async throws {
        try await Support.withRadicale { radicale, client in
            let calendar = try await radicale.makeCalendar("work")
            func href(_ name: String) -> String { calendar.appendingPathComponent(name).path }
            var etags: [String: String] = [:]
            for name in ["a", "b"] {
                etags[name] = try await radicale.putObject(
                    Support.event(uid: name, start: Support.instant(hoursAfterMonday: 1)), named: "\(name).ics",
                    inCalendar: "work")
            }
            let initial = try await client.changes(in: calendar, since: nil, credentials: Support.credentials)
            #expect(Set(initial.changed.map(\.href)) == [href("a.ics"), href("b.ics")])
            #expect(initial.changed.allSatisfy { $0.etag == etags[String($0.href.dropLast(4).suffix(1))] })
            #expect(initial.removed.isEmpty && !initial.isTruncated)

            try await radicale.putObject(
                Support.event(uid: "a", start: Support.instant(hoursAfterMonday: 5), summary: "moved"),
                named: "a.ics", inCalendar: "work")
            try await radicale.deleteObject(named: "b.ics", inCalendar: "work")
            try await radicale.putObject(
                Support.event(uid: "c", start: Support.instant(hoursAfterMonday: 2)), named: "c.ics",
                inCalendar: "work")
            let later = try await client.changes(
                in: calendar, since: initial.newToken, credentials: Support.credentials)
            #expect(Set(later.changed.map(\.href)) == [href("a.ics"), href("c.ics")])
            #expect(later.removed == [href("b.ics")])
            #expect(later.newToken != initial.newToken)
            let state = try await client.collectionState(calendar, credentials: Support.credentials)
            #expect(state.syncToken == later.newToken)

            let none = try await client.changes(in: calendar, since: later.newToken, credentials: Support.credentials)
            #expect(none.changed.isEmpty && none.removed.isEmpty)
            let fetched = try await client.fetch(
                later.changed.map(\.href), in: calendar, credentials: Support.credentials)
            #expect(fetched.map(\.calendarData).contains { $0.contains("SUMMARY:moved") })
        }
    }

    @Test func anUnknownSyncTokenIsInvalidSyncToken() async throws {
        try await Support.withRadicale { radicale, client in
            let calendar = try await radicale.makeCalendar("work")
            let state = try await client.collectionState(calendar, credentials: Support.credentials)
            let token = try #require(state.syncToken)
            let error = await #expect(throws: CalDAVError.self) {
                try await client.changes(in: calendar, since: token + "0", credentials: Support.credentials)
            }
            #expect(error?.code == .invalidSyncToken)
        }
    }
}
