import Foundation
import NIOHTTP1
import SlotJSON

/// The query of an operator-page request (`name=value&…`), percent-decoded (a browser's form writes `:` as
/// `%3A`). A name the endpoint does not know, a name given twice or text that does not decode is refused, so a
/// typo is an error rather than a silently ignored filter. Its length is bounded by `HTTP.headBytesMax`.
struct QueryParameters {
    private var values: [String: String] = [:]

    init(_ query: Substring, allowed: Set<String>) throws(APIError) {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else {
                throw APIError(.badRequest, code: "invalid_request", "the query is not valid percent-encoded text")
            }
            guard allowed.contains(name) else {
                let known = allowed.sorted().joined(separator: ", ")
                throw APIError(
                    .badRequest, code: "invalid_request", "unknown query parameter \(name); known: \(known)",
                    field: name)
            }
            guard values[name] == nil else {
                throw APIError(.badRequest, code: "invalid_request", "\(name) is given twice", field: name)
            }
            // An empty value is the same as none: what a form's empty field sends.
            if !value.isEmpty { values[name] = value }
        }
    }

    subscript(name: String) -> String? { values[name] }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}

/// A refused operator-page API request: an HTTP status and a JSON body with a stable snake_case `error` code, a
/// message for a person, and the query parameter at fault when there is one.
struct APIError: Error {
    var status: HTTPResponseStatus
    var code: String
    var message: String
    var field: String?

    init(_ status: HTTPResponseStatus, code: String, _ message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    var reply: HTTPReply {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("error")
        writer.string(code)
        writer.key("message")
        writer.string(message)
        if let field {
            writer.key("field")
            writer.string(field)
        }
        writer.endObject()
        writer.newline()
        return HTTPReply(status: status, contentType: "application/json", body: writer.bytes)
    }
}

extension HTTPReply {
    static func json(_ status: HTTPResponseStatus, _ text: String) -> HTTPReply {
        HTTPReply(status: status, contentType: "application/json", body: Array((text + "\n").utf8))
    }
}
