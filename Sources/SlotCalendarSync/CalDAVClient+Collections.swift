import Foundation
import NIOHTTP1
import SlotDomain

/// The reading side: a collection's change markers, its objects in a time range, its changes since a token, and
/// objects by href.
extension CalDAVClient {
    /// PROPFIND Depth 0 on the collection: CalendarServer `getctag`, RFC 6578 `sync-token`, `supported-report-set`.
    public func collectionState(_ url: URL, credentials: CalendarCredentials?) async throws -> CollectionState {
        let answer = try await perform(
            .PROPFIND, url, headers: [("Depth", "0")], body: CalDAVRequestBody.collectionStatePropfind,
            credentials: credentials)
        let multistatus = try parseMultistatus(answer)
        guard let response = multistatus.responses.first(where: { $0.propstats.contains { $0.isSuccess } }) else {
            throw CalDAVError(.malformedResponse, "PROPFIND answer has no successful propstat")
        }
        var reports: Set<CollectionState.Report> = []
        if let reportSet = response.property(DAVName.supportedReportSet) {
            for report in CollectionState.Report.allCases where reportSet.descendants.contains(report.name) {
                reports.insert(report)
            }
        }
        return CollectionState(
            ctag: response.property(DAVName.getctag)?.trimmedText,
            syncToken: response.property(DAVName.syncToken)?.trimmedText,
            supportedReports: reports,
            isCalendar: response.property(DAVName.resourcetype)?.descendants.contains(DAVName.calendar) ?? false)
    }

    /// REPORT calendar-query with a VEVENT time-range filter: every calendar object (href, etag, calendar-data
    /// text) with an event in `[from, to)`.
    public func objects(in url: URL, from: Instant, to: Instant, credentials: CalendarCredentials?) async throws
        -> [CalendarObject]
    {
        let answer = try await perform(
            .REPORT, url, headers: [("Depth", "1")], body: CalDAVRequestBody.calendarQuery(from: from, to: to),
            credentials: credentials)
        return try calendarObjects(in: parseMultistatus(answer), collection: url, wanted: nil)
    }

    /// REPORT sync-collection (RFC 6578) from a token (nil: the initial sync, which lists every object): changed
    /// hrefs with their ETags, removed hrefs, and the new token. An expired token throws `invalid_sync_token`.
    public func changes(in url: URL, since token: String?, credentials: CalendarCredentials?) async throws
        -> CollectionChanges
    {
        let answer = try await perform(
            .REPORT, url, headers: [("Depth", "1")], body: CalDAVRequestBody.syncCollection(since: token),
            credentials: credentials)
        guard answer.status == 207 else {
            if ErrorBody.preconditions(in: answer.body, limits: parserLimits).contains(DAVName.validSyncToken) {
                throw CalDAVError(.invalidSyncToken, status: answer.status, "the server no longer knows the token")
            }
            throw CalDAVError(.httpStatus, status: answer.status, "REPORT sync-collection answered \(answer.status)")
        }
        let multistatus = try parseMultistatus(answer)
        guard let newToken = multistatus.syncToken, !newToken.isEmpty else {
            throw CalDAVError(.malformedResponse, "sync-collection answer has no sync-token")
        }
        var changes = CollectionChanges(changed: [], removed: [], newToken: newToken, isTruncated: false)
        for response in multistatus.responses {
            guard let href = response.hrefs.first else { continue }
            if response.status == 507, Self.isSameCollection(href, url) {
                changes.isTruncated = true
            } else if response.status == 404 {
                changes.removed.append(contentsOf: response.hrefs)
            } else if response.propstats.contains(where: \.isSuccess), !Self.isSameCollection(href, url) {
                let etag = response.property(DAVName.getetag)?.trimmedText
                changes.changed.append(.init(href: href, etag: etag))
            }
        }
        return changes
    }

    /// The objects at `hrefs` (as the server wrote them), by calendar-multiget REPORT in batches of
    /// `multigetHrefsMax`. Hrefs the server reports missing are left out; so is anything it sends that was not
    /// asked for.
    public func fetch(_ hrefs: [String], in url: URL, credentials: CalendarCredentials?) async throws
        -> [CalendarObject]
    {
        var objects: [CalendarObject] = []
        var start = 0
        while start < hrefs.count {
            let batch = Array(hrefs[start..<min(hrefs.count, start + configuration.multigetHrefsMax)])
            let answer = try await perform(
                .REPORT, url, headers: [("Depth", "1")], body: CalDAVRequestBody.calendarMultiget(batch),
                credentials: credentials)
            let wanted = Set(batch.map { Self.path(ofHref: $0, in: url) })
            objects += try calendarObjects(in: parseMultistatus(answer), collection: url, wanted: wanted)
            start += batch.count
        }
        return objects
    }

    /// Every successful response's object; a successful response without calendar-data is malformed (leaving it
    /// out would hide a busy time).
    private func calendarObjects(in multistatus: Multistatus, collection: URL, wanted: Set<String>?) throws
        -> [CalendarObject]
    {
        var objects: [CalendarObject] = []
        for response in multistatus.responses {
            guard let href = response.hrefs.first, !Self.isSameCollection(href, collection),
                response.propstats.contains(where: \.isSuccess),
                wanted?.contains(Self.path(ofHref: href, in: collection)) ?? true
            else { continue }
            guard let data = response.property(DAVName.calendarData)?.text else {
                throw CalDAVError(.malformedResponse, "object \(href.prefix(200)) came without calendar-data")
            }
            objects.append(
                CalendarObject(href: href, etag: response.property(DAVName.getetag)?.trimmedText, calendarData: data))
        }
        return objects
    }

    func parseMultistatus(_ answer: HTTPAnswer) throws -> Multistatus {
        guard answer.status == 207 else {
            throw CalDAVError(.httpStatus, status: answer.status, "expected 207 Multi-Status, got \(answer.status)")
        }
        return try Multistatus.parse(answer.body, limits: parserLimits)
    }

    var parserLimits: XMLLimits {
        XMLLimits(responsesMax: configuration.multistatusResponsesMax, depthMax: configuration.xmlDepthMax)
    }

    static func isSameCollection(_ href: String, _ collection: URL) -> Bool {
        path(ofHref: href, in: collection) == path(ofHref: collection.path, in: collection)
    }

    /// The decoded path an href names, without a trailing slash, so that two spellings of one href compare equal
    /// (`%40` and `@`, absolute URL and path); the href itself when it names another server.
    static func path(ofHref href: String, in collection: URL) -> String {
        guard let path = url(ofHref: href, in: collection)?.standardized.path else { return href }
        return path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}

extension CollectionState.Report {
    var name: DAVName {
        switch self {
        case .syncCollection: DAVName(DAVName.dav, "sync-collection")
        case .calendarQuery: DAVName(DAVName.caldav, "calendar-query")
        case .calendarMultiget: DAVName(DAVName.caldav, "calendar-multiget")
        }
    }
}
