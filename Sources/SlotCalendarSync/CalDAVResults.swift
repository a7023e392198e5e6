/// What a PROPFIND (Depth 0) says about a calendar collection: the markers that tell whether anything changed, and
/// which REPORTs the server offers.
public struct CollectionState: Hashable, Sendable {
    /// CalendarServer's `getctag`: changes whenever any object in the collection changes.
    public var ctag: String?
    /// RFC 6578's `sync-token`: the same, and also the starting point of a `sync-collection` REPORT.
    public var syncToken: String?
    /// The REPORTs named in `supported-report-set` that this client knows.
    public var supportedReports: Set<Report>
    /// Whether `resourcetype` names `calendar` (RFC 4791): a plain WebDAV folder is not one.
    public var isCalendar: Bool

    public enum Report: String, Hashable, Sendable, CaseIterable {
        case syncCollection = "sync-collection"
        case calendarQuery = "calendar-query"
        case calendarMultiget = "calendar-multiget"
    }

    public init(ctag: String?, syncToken: String?, supportedReports: Set<Report>, isCalendar: Bool) {
        self.ctag = ctag
        self.syncToken = syncToken
        self.supportedReports = supportedReports
        self.isCalendar = isCalendar
    }

    /// The one value to compare with the last pull's: the sync token where the server has one, else the ctag, else
    /// nil (the server offers neither, and only a full fetch can tell).
    public var changeMarker: String? { syncToken ?? ctag }
}

/// One calendar object resource: its href as the server wrote it, its ETag, and its iCalendar text.
public struct CalendarObject: Hashable, Sendable {
    public var href: String
    /// Opaque, quotes included, as the server sent it: compared and sent back exactly as received.
    public var etag: String?
    public var calendarData: String

    public init(href: String, etag: String?, calendarData: String) {
        self.href = href
        self.etag = etag
        self.calendarData = calendarData
    }
}

/// What a `sync-collection` REPORT says changed since a token.
public struct CollectionChanges: Hashable, Sendable {
    public struct Changed: Hashable, Sendable {
        public var href: String
        public var etag: String?

        public init(href: String, etag: String?) {
            self.href = href
            self.etag = etag
        }
    }

    /// Objects created or modified since the token (or every object, without one).
    public var changed: [Changed]
    /// Objects removed since the token.
    public var removed: [String]
    /// The token to send next time.
    public var newToken: String
    /// RFC 6578 §3.6: the server sent only part of the changes (a 507 for the collection itself); ask again from
    /// `newToken` for the rest.
    public var isTruncated: Bool

    public init(changed: [Changed], removed: [String], newToken: String, isTruncated: Bool) {
        self.changed = changed
        self.removed = removed
        self.newToken = newToken
        self.isTruncated = isTruncated
    }
}

public enum PutOutcome: Hashable, Sendable {
    /// Stored; the new ETag, or nil when the server sent none (then fetch it before the next conditional update).
    case stored(etag: String?)
    /// 412: `ifMatch` no longer matches (someone changed the object), or `ifNoneMatch` found one already there.
    case preconditionFailed
}

public enum DeleteOutcome: Hashable, Sendable {
    case deleted
    /// 404: already gone, which is what a delete wanted.
    case notFound
    /// 412: `ifMatch` no longer matches.
    case preconditionFailed
}

public enum DownloadOutcome: Hashable, Sendable {
    /// 304, or a 200 whose ETag is the one sent in If-None-Match (servers that ignore conditional GETs).
    case notModified
    case body(String, etag: String?)
}
