import Foundation
import SlotCalendarSync
import SlotTesting
import Testing

/// Writing and reading calendar objects on a real Radicale.
@Suite(.serialized, .timeLimit(.minutes(2))) struct CalDAVObjectTests {
    typealias Support = CalDAVTestSupport

    @Test func putCreatesOnceAndUpdatesOnlyWithTheCurrentETag() async throws {
        try await Support.withRadicale { radicale, client in
            let calendar = try await radicale.makeCalendar("work")
            let href = calendar.appendingPathComponent("booking-1.ics")
            let first = Support.event(uid: "booking-1", start: Support.instant(hoursAfterMonday: 0))
            let created = try await client.put(
                first, at: href, ifMatch: nil, ifNoneMatch: true, credentials: Support.credentials)
            guard case .stored(let createdETag?) = created else {
                Issue.record("create answered \(created)")
                return
            }
            #expect(radicale.objectNames(inCalendar: "work") == ["booking-1.ics"])
            let again = try await client.put(
                first, at: href, ifMatch: nil, ifNoneMatch: true, credentials: Support.credentials)
            #expect(again == .preconditionFailed)

            let moved = Support.event(uid: "booking-1", start: Support.instant(hoursAfterMonday: 2), summary: "moved")
            let updated = try await client.put(
                moved, at: href, ifMatch: createdETag, ifNoneMatch: false, credentials: Support.credentials)
            guard case .stored(let updatedETag?) = updated else {
                Issue.record("update answered \(updated)")
                return
            }
            #expect(updatedETag != createdETag)
            let stale = try await client.put(
                first, at: href, ifMatch: createdETag, ifNoneMatch: false, credentials: Support.credentials)
            #expect(stale == .preconditionFailed)

            let objects = try await client.fetch([href.path], in: calendar, credentials: Support.credentials)
            #expect(objects.count == 1)
            #expect(objects.first?.etag == updatedETag)
            #expect(objects.first?.calendarData.contains("SUMMARY:moved") == true)
        }
    }

    @Test func deleteHonoursIfMatchAndReportsWhatIsAlreadyGone() async throws {
        try await Support.withRadicale { radicale, client in
            let calendar = try await radicale.makeCalendar("work")
            let href = calendar.appendingPathComponent("gone.ics")
            let event = Support.event(uid: "gone", start: Support.instant(hoursAfterMonday: 0))
            let etag = try #require(try await radicale.putObject(event, named: "gone.ics", inCalendar: "work"))
            #expect(
                try await client.delete(href, ifMatch: "\"not-the-etag\"", credentials: Support.credentials)
                    == .preconditionFailed)
            #expect(radicale.objectNames(inCalendar: "work") == ["gone.ics"])
            #expect(try await client.delete(href, ifMatch: etag, credentials: Support.credentials) == .deleted)
            #expect(radicale.objectNames(inCalendar: "work").isEmpty)
            #expect(try await client.delete(href, ifMatch: nil, credentials: Support.credentials) == .notFound)
        }
    }

    @Test func objectsAreThoseWithAnEventInTheTimeRange() async throws {
        try await Support.withRadicale { radicale, client in
            let calendar = try await radicale.makeCalendar("work")
            var etags: [String: String?] = [:]
            for (name, hours) in [("before", Int64(0)), ("inside", 48), ("straddles", 71), ("after", 24 * 20)] {
                let event = Support.event(uid: name, start: Support.instant(hoursAfterMonday: hours), minutes: 120)
                etags[name] = try await radicale.putObject(event, named: "\(name).ics", inCalendar: "work")
            }
            let objects = try await client.objects(
                in: calendar, from: Support.instant(hoursAfterMonday: 24), to: Support.instant(hoursAfterMonday: 72),
                credentials: Support.credentials)
            let names = objects.map { URL(string: $0.href)?.lastPathComponent ?? "" }.sorted()
            #expect(names == ["inside.ics", "straddles.ics"])
            for object in objects {
                let name = String((URL(string: object.href)?.lastPathComponent ?? "").dropLast(".ics".count))
                #expect(object.etag == etags[name] ?? nil)
                #expect(object.calendarData.contains("UID:\(name)"))
            }
        }
    }

    @Test func fetchAsksInBatchesAndLeavesOutMissingObjects() async throws {
        let configuration = CalDAVClient.Configuration(requestTimeoutSeconds: 10, multigetHrefsMax: 2)
        try await Support.withRadicale(configuration) { radicale, client in
            let calendar = try await radicale.makeCalendar("work")
            var hrefs: [String] = []
            for index in 0..<5 {
                let event = Support.event(uid: "e\(index)", start: Support.instant(hoursAfterMonday: Int64(index)))
                try await radicale.putObject(event, named: "e\(index).ics", inCalendar: "work")
                hrefs.append(calendar.appendingPathComponent("e\(index).ics").path)
            }
            hrefs.append(calendar.appendingPathComponent("missing.ics").path)
            let before = radicale.requestsReceived().count
            let objects = try await client.fetch(hrefs, in: calendar, credentials: Support.credentials)
            #expect(Set(objects.map(\.href)) == Set(hrefs.dropLast()))
            #expect(objects.allSatisfy { $0.etag != nil && $0.calendarData.contains("BEGIN:VEVENT") })
            #expect(radicale.requestsReceived().dropFirst(before).map(\.method) == ["REPORT", "REPORT", "REPORT"])
        }
    }

    @Test func aWrongPasswordIsUnauthorized() async throws {
        try await Support.withRadicale { radicale, client in
            let calendar = try await radicale.makeCalendar("work")
            let wrong = CalendarCredentials(username: Support.username, password: "wrong")
            let error = await #expect(throws: CalDAVError.self) {
                try await client.collectionState(calendar, credentials: wrong)
            }
            #expect(error?.code == .unauthorized)
            #expect(error?.status == 401)
            let none = await #expect(throws: CalDAVError.self) {
                try await client.objects(
                    in: calendar, from: Support.instant(hoursAfterMonday: 0), to: Support.instant(hoursAfterMonday: 1),
                    credentials: nil)
            }
            #expect(none?.code == .unauthorized)
        }
    }

    /// Radicale ignores If-None-Match on GET but sends the same ETag for the same text: that counts as unchanged.
    @Test func downloadOfAnUnchangedCalendarIsNotModified() async throws {
        try await Support.withRadicale { radicale, client in
            let calendar = try await radicale.makeCalendar("work")
            let event = Support.event(uid: "one", start: Support.instant(hoursAfterMonday: 0))
            try await radicale.putObject(event, named: "one.ics", inCalendar: "work")
            let first = try await client.download(calendar, ifNoneMatch: nil, credentials: Support.credentials)
            guard case .body(let text, let etag?) = first else {
                Issue.record("download answered \(first)")
                return
            }
            #expect(text.contains("UID:one"))
            #expect(
                try await client.download(calendar, ifNoneMatch: etag, credentials: Support.credentials) == .notModified
            )
            try await radicale.putObject(
                Support.event(uid: "two", start: Support.instant(hoursAfterMonday: 3)), named: "two.ics",
                inCalendar: "work")
            let changed = try await client.download(calendar, ifNoneMatch: etag, credentials: Support.credentials)
            guard case .body(let newText, let newETag) = changed else {
                Issue.record("download after a change answered \(changed)")
                return
            }
            #expect(newText.contains("UID:two"))
            #expect(newETag != etag)
        }
    }
}
