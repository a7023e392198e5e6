import Foundation
import NIOHTTP1

/// The writing side, and plain ICS downloads.
extension CalDAVClient {
    /// PUT text/calendar at `href`: `ifMatch` (an ETag) for an update, `ifNoneMatch: true` for a create that must
    /// not overwrite. Returns the new ETag (nil when the server sends none) or `.preconditionFailed`.
    public func put(
        _ ics: String, at href: URL, ifMatch: String?, ifNoneMatch: Bool, credentials: CalendarCredentials?
    ) async throws -> PutOutcome {
        var headers = [("Content-Type", "text/calendar; charset=utf-8")]
        if let ifMatch { headers.append(("If-Match", ifMatch)) }
        if ifNoneMatch { headers.append(("If-None-Match", "*")) }
        let answer = try await perform(.PUT, href, headers: headers, body: ics, credentials: credentials)
        switch answer.status {
        case 200..<300: return .stored(etag: answer.etag)
        case 412: return .preconditionFailed
        default: throw CalDAVError(.httpStatus, status: answer.status, "PUT answered \(answer.status)")
        }
    }

    /// DELETE `href`, only if its ETag is still `ifMatch` when one is given.
    public func delete(_ href: URL, ifMatch: String?, credentials: CalendarCredentials?) async throws
        -> DeleteOutcome
    {
        let headers = ifMatch.map { [("If-Match", $0)] } ?? []
        let answer = try await perform(.DELETE, href, headers: headers, body: nil, credentials: credentials)
        switch answer.status {
        case 200..<300: return .deleted
        case 404: return .notFound
        case 412: return .preconditionFailed
        default: throw CalDAVError(.httpStatus, status: answer.status, "DELETE answered \(answer.status)")
        }
    }

    /// GET of a plain ICS URL (or a calendar collection) with If-None-Match. A server that ignores the header but
    /// sends the same ETag again counts as not modified: the text is the same, so nothing needs parsing.
    public func download(_ url: URL, ifNoneMatch: String?, credentials: CalendarCredentials?) async throws
        -> DownloadOutcome
    {
        var headers = [("Accept", "text/calendar")]
        if let ifNoneMatch { headers.append(("If-None-Match", ifNoneMatch)) }
        let answer = try await perform(.GET, url, headers: headers, body: nil, credentials: credentials)
        switch answer.status {
        case 304:
            return .notModified
        case 200:
            if let ifNoneMatch, answer.etag == ifNoneMatch { return .notModified }
            guard let text = String(validating: answer.body, as: UTF8.self) else {
                throw CalDAVError(.malformedResponse, "the calendar is not UTF-8 text")
            }
            return .body(text, etag: answer.etag)
        default:
            throw CalDAVError(.httpStatus, status: answer.status, "GET answered \(answer.status)")
        }
    }
}
