import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// Why an attempt did not reach the receiver, in the short words an operator reads in `list_deliveries`.
extension WebhookSender {
    /// Nil when the URL may be sent to now. Names are resolved and checked at every attempt because what a name
    /// points at can change after the endpoint was created (DNS rebinding: a name that answered with a public
    /// address at creation and answers 127.0.0.1 now).
    ///
    /// A window remains: the HTTP client resolves the name again when it opens a connection, and a DNS server
    /// answering with a short TTL can give it another address than the one checked here a moment before. The
    /// client offers no hook to connect to the checked address while keeping the name for TLS. Operators who
    /// must close that window send webhooks through an egress proxy that enforces the same ranges.
    func addressRefusal(_ url: WebhookURL, deadline: NIODeadline) async -> String? {
        guard !configuration.allowPrivate else { return nil }
        if WebhookURLPolicy.isPrivateHost(url) {
            return "private address \(url.host) refused (start slotd with --allow-private-webhooks to allow it)"
        }
        guard url.literalAddress == nil else { return nil }
        let addresses: [[UInt8]]
        do {
            addresses = try await HostResolver.addresses(
                of: url.host, before: deadline, on: client.eventLoopGroup.next())
        } catch let failure as HostResolver.LookupFailed {
            return failure.reason
        } catch {
            return "timed out after \(configuration.requestTimeoutSeconds) s resolving \(url.host)"
        }
        if let address = addresses.first(where: { WebhookURLPolicy.isPrivate(addressBytes: $0) }) {
            return "\(url.host) resolves to private address \(HostResolver.text(of: address)), refused "
                + "(start slotd with --allow-private-webhooks to allow it)"
        }
        return nil
    }

    func reason(for error: any Error) -> String {
        let timedOut = "timed out after \(configuration.requestTimeoutSeconds) s"
        let connectTimedOut = "connect timed out after \(configuration.connectTimeoutSeconds) s"
        switch error {
        case let error as HTTPClientError:
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .getConnectionFromPoolTimeout: return timedOut
            case .connectTimeout, .tlsHandshakeTimeout: return connectTimedOut
            case .remoteConnectionClosed: return "connection closed by the receiver before it answered"
            default: return "http client: \(error)"
            }
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return reason(for: first.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "host name not found" }
            return "could not connect"
        case let error as IOError:
            return reason(errno: error.errnoCode)
        case ChannelError.connectTimeout:
            return connectTimedOut
        default:
            return String(String(describing: error).prefix(200))
        }
    }

    private func reason(errno: CInt) -> String {
        switch errno {
        case ECONNREFUSED: "connection refused"
        case ECONNRESET: "connection reset"
        case EHOSTUNREACH, ENETUNREACH: "no route to host"
        case ETIMEDOUT: "connect timed out"
        default: String(cString: strerror(errno)).lowercased()
        }
    }
}
