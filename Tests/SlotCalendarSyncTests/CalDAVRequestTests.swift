import Foundation
import SlotDomain
import Testing

@testable import SlotCalendarSync

/// What the client sends, and what it never prints.
@Suite struct CalDAVRequestTests {
    @Test func timeRangesAreWrittenInRFC5545UTCForm() {
        #expect(CalDAVRequestBody.utcText(Instant(secondsSinceEpoch: 0)) == "19700101T000000Z")
        #expect(CalDAVRequestBody.utcText(Instant(secondsSinceEpoch: 1_799_654_400 + 3661)) == "20270111T090101Z")
        #expect(CalDAVRequestBody.utcText(Instant(secondsSinceEpoch: Int64.max)) == "99991231T235959Z")
        #expect(CalDAVRequestBody.utcText(Instant(secondsSinceEpoch: Int64.min)) == "00010101T000000Z")
    }

    @Test func hrefsAreEscapedInAMultiget() {
        let body = CalDAVRequestBody.calendarMultiget(["/c/a&b<c>.ics"])
        #expect(body.contains("<D:href>/c/a&amp;b&lt;c&gt;.ics</D:href>"))
        #expect(CalDAVRequestBody.syncCollection(since: "t\"1").contains("<D:sync-token>t&quot;1</D:sync-token>"))
    }

    @Test func credentialsNeverShowTheirPassword() {
        let credentials = CalendarCredentials(username: "someone@example.com", password: "hunter2-secret")
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in ["\(credentials)", String(reflecting: credentials), dumped, "\([credentials])"] {
            #expect(!text.contains("hunter2"), "\(text)")
            #expect(!text.contains("someone"), "\(text)")
        }
        #expect(
            CalDAVClient.basicAuthorization(credentials)
                == "Basic " + Data("someone@example.com:hunter2-secret".utf8).base64EncodedString())
    }

    @Test func hrefsResolveOnlyOnTheCollectionsServer() throws {
        let collection = try #require(URL(string: "https://cal.example.com/dav/alice/work/"))
        #expect(
            CalDAVClient.url(ofHref: "/dav/alice/work/a.ics", in: collection)?.absoluteString
                == "https://cal.example.com/dav/alice/work/a.ics")
        #expect(CalDAVClient.url(ofHref: "b.ics", in: collection)?.path == "/dav/alice/work/b.ics")
        #expect(CalDAVClient.url(ofHref: "https://evil.example.net/a.ics", in: collection) == nil)
        #expect(CalDAVClient.url(ofHref: "http://cal.example.com/dav/alice/work/a.ics", in: collection) == nil)
        #expect(CalDAVClient.url(ofHref: "https://cal.example.com:8443/a.ics", in: collection) == nil)
        #expect(CalDAVClient.isSameCollection("/dav/alice/work", collection))
        #expect(CalDAVClient.path(ofHref: "/dav/alice/work/a%40b.ics", in: collection) == "/dav/alice/work/a@b.ics")
    }
}
