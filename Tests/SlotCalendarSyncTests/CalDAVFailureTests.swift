import Foundation
import SlotCalendarSync
import SlotDomain
import SlotTesting
import Testing

/// Servers that go away, hang, trickle or flood: every request ends in a `CalDAVError` with its code, in bounded
/// time and memory. Serialized: the timing checks hold on a loaded 2-core machine only when the tests do not
/// compete with each other as well.
@Suite(.serialized, .timeLimit(.minutes(2))) struct CalDAVFailureTests {
    typealias Support = CalDAVTestSupport

    static func withPeer(
        mode: String, _ configuration: CalDAVClient.Configuration,
        _ body: (HTTPTestPeer, CalDAVClient) async throws -> Void
    ) async throws {
        let peer = try await HTTPTestPeer(mode: mode)
        defer { peer.stop() }
        try await Support.withClient(configuration) { client in try await body(peer, client) }
    }

    @Test func aStoppedServerIsConnectFailedAndARestartedOneAnswersAgain() async throws {
        try await Support.withRadicale { radicale, client in
            let calendar = try await radicale.makeCalendar("work")
            let before = try await client.collectionState(calendar, credentials: Support.credentials)
            radicale.kill()
            let started = ContinuousClock.now
            let error = await #expect(throws: CalDAVError.self) {
                try await client.collectionState(calendar, credentials: Support.credentials)
            }
            #expect(error?.code == .connectFailed)
            #expect(ContinuousClock.now - started < .seconds(5))
            try await radicale.restart()
            let after = try await client.collectionState(calendar, credentials: Support.credentials)
            #expect(after == before)
        }
    }

    @Test func aServerThatNeverAnswersTimesOutWithinTheConfiguredSeconds() async throws {
        try await Self.withPeer(mode: "hang", .init(requestTimeoutSeconds: 1)) { peer, client in
            let started = ContinuousClock.now
            let error = await #expect(throws: CalDAVError.self) {
                try await client.collectionState(peer.baseURL, credentials: Support.credentials)
            }
            let elapsed = ContinuousClock.now - started
            #expect(error?.code == .timeout)
            #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(3), "took \(elapsed)")
        }
    }

    /// The client's own deadline covers the head only; the body's read is raced against the same deadline.
    @Test func aBodyThatStopsHalfwayTimesOut() async throws {
        try await Self.withPeer(mode: "drip 100", .init(requestTimeoutSeconds: 1)) { peer, client in
            let started = ContinuousClock.now
            let error = await #expect(throws: CalDAVError.self) {
                try await client.changes(in: peer.baseURL, since: nil, credentials: nil)
            }
            let elapsed = ContinuousClock.now - started
            #expect(error?.code == .timeout)
            #expect(elapsed < .seconds(3), "took \(elapsed)")
        }
    }

    /// No Content-Length to go by: the body is counted as it streams and dropped past the limit.
    @Test func aFloodingBodyIsTooLargeAndStopsBeingRead() async throws {
        let configuration = CalDAVClient.Configuration(requestTimeoutSeconds: 10, responseBodyBytesMax: 64 * 1024)
        try await Self.withPeer(mode: "flood 1000000000", configuration) { peer, client in
            let started = ContinuousClock.now
            let error = await #expect(throws: CalDAVError.self) {
                try await client.objects(
                    in: peer.baseURL, from: Instant(secondsSinceEpoch: 0), to: Instant(secondsSinceEpoch: 3600),
                    credentials: nil)
            }
            #expect(error?.code == .tooLarge)
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test func aCalendarLargerThanTheLimitIsTooLarge() async throws {
        let configuration = CalDAVClient.Configuration(requestTimeoutSeconds: 10, responseBodyBytesMax: 4096)
        try await Support.withRadicale(configuration) { radicale, client in
            let calendar = try await radicale.makeCalendar("work")
            for index in 0..<12 {
                let event = Support.event(uid: "e\(index)", start: Support.instant(hoursAfterMonday: Int64(index)))
                try await radicale.putObject(event, named: "e\(index).ics", inCalendar: "work")
            }
            let range = (Support.instant(hoursAfterMonday: 0), Support.instant(hoursAfterMonday: 24))
            let error = await #expect(throws: CalDAVError.self) {
                try await client.objects(in: calendar, from: range.0, to: range.1, credentials: Support.credentials)
            }
            #expect(error?.code == .tooLarge)
            // The control: the same request within a larger limit succeeds.
            try await Support.withClient(.init(requestTimeoutSeconds: 10)) { roomy in
                let objects = try await roomy.objects(
                    in: calendar, from: range.0, to: range.1, credentials: Support.credentials)
                #expect(objects.count == 12)
            }
        }
    }

    @Test func aMultistatusWithMoreResponsesThanTheLimitIsTooLarge() async throws {
        let configuration = CalDAVClient.Configuration(requestTimeoutSeconds: 10, multistatusResponsesMax: 3)
        try await Support.withRadicale(configuration) { radicale, client in
            let calendar = try await radicale.makeCalendar("work")
            for index in 0..<3 {
                let event = Support.event(uid: "e\(index)", start: Support.instant(hoursAfterMonday: Int64(index)))
                try await radicale.putObject(event, named: "e\(index).ics", inCalendar: "work")
            }
            #expect(
                try await client.changes(in: calendar, since: nil, credentials: Support.credentials).changed.count == 3)
            let event = Support.event(uid: "e3", start: Support.instant(hoursAfterMonday: 3))
            try await radicale.putObject(event, named: "e3.ics", inCalendar: "work")
            let error = await #expect(throws: CalDAVError.self) {
                try await client.changes(in: calendar, since: nil, credentials: Support.credentials)
            }
            #expect(error?.code == .tooLarge)
        }
    }

    @Test func aServerThatHonoursIfNoneMatchAnswers304() async throws {
        try await Self.withPeer(mode: #"ics "v1""#, .init(requestTimeoutSeconds: 5)) { peer, client in
            let url = peer.baseURL.appendingPathComponent("secret.ics")
            let first = try await client.download(url, ifNoneMatch: nil, credentials: nil)
            guard case .body(let text, let etag) = first else {
                Issue.record("download answered \(first)")
                return
            }
            #expect(text.contains("UID:peer-1"))
            #expect(etag == #""v1""#)
            #expect(try await client.download(url, ifNoneMatch: #""v1""#, credentials: nil) == .notModified)
            let other = try await client.download(url, ifNoneMatch: #""v0""#, credentials: nil)
            #expect(other == .body(text, etag: #""v1""#))
        }
    }

    /// A redirect would carry the credentials to a URL nobody checked: the 3xx is the answer, and a failure.
    @Test func aRedirectIsNotFollowed() async throws {
        try await Self.withPeer(mode: "redirect", .init(requestTimeoutSeconds: 5)) { peer, client in
            let error = await #expect(throws: CalDAVError.self) {
                try await client.download(
                    peer.baseURL.appendingPathComponent("feed.ics"), ifNoneMatch: nil, credentials: Support.credentials)
            }
            #expect(error?.code == .httpStatus)
            #expect(error?.status == 307)
        }
    }

    @Test func anAnswerThatIsNotAMultistatusIsAnError() async throws {
        try await Self.withPeer(mode: #"ics "v1""#, .init(requestTimeoutSeconds: 5)) { peer, client in
            let error = await #expect(throws: CalDAVError.self) {
                try await client.collectionState(peer.baseURL, credentials: nil)
            }
            #expect(error?.code == .httpStatus)
            #expect(error?.status == 200)
        }
    }
}
