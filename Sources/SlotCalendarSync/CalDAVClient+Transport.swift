import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// An answer read whole, within the limits.
struct HTTPAnswer: Sendable {
    var status: Int
    var etag: String?
    var body: [UInt8]
}

/// One request, its deadline, its body limit, and the translation of every failure into a `CalDAVError`.
extension CalDAVClient {
    /// Sends one request and reads the answer whole. Throws `unauthorized` on a 401 (every caller means the same by
    /// it); any other status is the caller's to judge.
    func perform(
        _ method: HTTPMethod, _ url: URL, headers: [(String, String)], body: String?,
        credentials: CalendarCredentials?
    ) async throws -> HTTPAnswer {
        let deadline = NIODeadline.now() + .seconds(Int64(configuration.requestTimeoutSeconds))
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        request.headers.add(name: "User-Agent", value: "slotd")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let credentials { request.headers.add(name: "Authorization", value: Self.basicAuthorization(credentials)) }
        if let body {
            if !request.headers.contains(name: "Content-Type") {
                request.headers.add(name: "Content-Type", value: "application/xml; charset=utf-8")
            }
            request.body = .bytes(ByteBuffer(string: body))
        }
        do {
            let response = try await httpClient.execute(request, deadline: deadline)
            let status = Int(response.status.code)
            guard status != 401 else {
                throw CalDAVError(.unauthorized, status: status, "\(method.rawValue) answered 401: credentials refused")
            }
            if let length = response.headers.first(name: "Content-Length").flatMap(Int.init),
                length > configuration.responseBodyBytesMax
            {
                throw tooLarge()
            }
            let bytes = try await readBody(response.body, before: deadline)
            return HTTPAnswer(status: status, etag: response.headers.first(name: "ETag"), body: bytes)
        } catch let error as CalDAVError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw failure(error)
        }
    }

    /// The client's deadline covers the answer's head only; a server that sends a head and then trickles its body
    /// would hold the request forever without this race against the same deadline.
    private func readBody(_ body: HTTPClientResponse.Body, before deadline: NIODeadline) async throws -> [UInt8] {
        let bytesMax = configuration.responseBodyBytesMax
        let tooLarge = tooLarge()
        return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                var bytes: [UInt8] = []
                for try await chunk in body {
                    guard bytes.count + chunk.readableBytes <= bytesMax else { throw tooLarge }
                    bytes += chunk.readableBytesView
                }
                return bytes
            }
            group.addTask {
                try await Task.sleep(for: .nanoseconds(max(0, (deadline - .now()).nanoseconds)))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let bytes = first else { throw timedOut() }
            return bytes
        }
    }

    static func basicAuthorization(_ credentials: CalendarCredentials) -> String {
        "Basic " + Data("\(credentials.username):\(credentials.password)".utf8).base64EncodedString()
    }

    private func tooLarge() -> CalDAVError {
        CalDAVError(.tooLarge, "answer body over \(configuration.responseBodyBytesMax) bytes")
    }

    private func timedOut() -> CalDAVError {
        CalDAVError(.timeout, "no complete answer within \(configuration.requestTimeoutSeconds) s")
    }

    func failure(_ error: any Error) -> CalDAVError {
        switch error {
        case let error as HTTPClientError:
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .getConnectionFromPoolTimeout: return timedOut()
            case .connectTimeout, .tlsHandshakeTimeout: return CalDAVError(.connectFailed, "connect timed out")
            case .remoteConnectionClosed: return CalDAVError(.connectionLost, "connection closed before the answer")
            case .invalidURL, .emptyHost, .emptyScheme: return CalDAVError(.invalidRequest, "the URL is not usable")
            default: return CalDAVError(.transportFailed, "http client: \(error)")
            }
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return failure(first.error) }
            return CalDAVError(.connectFailed, "could not connect (host name not found?)")
        case let error as IOError:
            switch error.errnoCode {
            case ECONNREFUSED: return CalDAVError(.connectFailed, "connection refused")
            case EHOSTUNREACH, ENETUNREACH: return CalDAVError(.connectFailed, "no route to host")
            case ETIMEDOUT: return CalDAVError(.connectFailed, "connect timed out")
            default: return CalDAVError(.connectionLost, String(cString: strerror(error.errnoCode)).lowercased())
            }
        case ChannelError.connectTimeout:
            return CalDAVError(.connectFailed, "connect timed out")
        default:
            return CalDAVError(.transportFailed, String(String(describing: error).prefix(200)))
        }
    }
}
