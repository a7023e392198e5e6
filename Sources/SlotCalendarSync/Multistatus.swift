/// An XML element's name: its namespace and local name. Prefixes are the sender's choice and mean nothing.
struct DAVName: Hashable, Sendable {
    var namespace: String
    var local: String

    init(_ namespace: String, _ local: String) {
        self.namespace = namespace
        self.local = local
    }

    static let dav = "DAV:"
    static let caldav = "urn:ietf:params:xml:ns:caldav"
    static let calendarServer = "http://calendarserver.org/ns/"

    static let multistatus = DAVName(dav, "multistatus")
    static let response = DAVName(dav, "response")
    static let href = DAVName(dav, "href")
    static let status = DAVName(dav, "status")
    static let propstat = DAVName(dav, "propstat")
    static let prop = DAVName(dav, "prop")
    static let syncToken = DAVName(dav, "sync-token")
    static let getetag = DAVName(dav, "getetag")
    static let resourcetype = DAVName(dav, "resourcetype")
    static let supportedReportSet = DAVName(dav, "supported-report-set")
    static let error = DAVName(dav, "error")
    static let validSyncToken = DAVName(dav, "valid-sync-token")
    static let calendar = DAVName(caldav, "calendar")
    static let calendarData = DAVName(caldav, "calendar-data")
    static let getctag = DAVName(calendarServer, "getctag")
}

/// One property as found in a propstat: its text (for a leaf) and the names of every element inside it (for
/// `resourcetype` and `supported-report-set`).
struct DAVProperty: Hashable, Sendable {
    var text = ""
    var descendants: Set<DAVName> = []

    var trimmedText: String { text.trimmingWhitespace() }
}

struct DAVPropstat: Hashable, Sendable {
    var status: Int?
    var properties: [DAVName: DAVProperty] = [:]

    var isSuccess: Bool { (200..<300).contains(status ?? 0) }
}

/// One `response` of a multistatus (RFC 4918 §14.24).
struct DAVResponse: Hashable, Sendable {
    var hrefs: [String] = []
    /// The response's own status (RFC 6578 uses it for removed members), apart from its propstats'.
    var status: Int?
    var propstats: [DAVPropstat] = []

    /// The property from a successful propstat.
    func property(_ name: DAVName) -> DAVProperty? {
        for propstat in propstats where propstat.isSuccess {
            if let property = propstat.properties[name] { return property }
        }
        return nil
    }
}

struct Multistatus: Hashable, Sendable {
    var responses: [DAVResponse] = []
    /// RFC 6578's token at the top level of a sync-collection answer.
    var syncToken: String?
}

struct XMLLimits: Hashable, Sendable {
    var responsesMax: Int
    var depthMax: Int
}

extension String {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }

    /// `HTTP/1.1 404 Not Found` → 404.
    var httpStatusCode: Int? {
        let parts = trimmingWhitespace().split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), parts[1].count == 3 else { return nil }
        return Int(parts[1])
    }
}
