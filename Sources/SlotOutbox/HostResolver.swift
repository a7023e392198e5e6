import Foundation
import NIOCore
import NIOPosix

/// The addresses a webhook's host name resolves to, looked up the way the HTTP client will look them up
/// (`getaddrinfo`), so that the sender can refuse a name that points at a private address.
enum HostResolver {
    struct LookupFailed: Error {
        let reason: String
    }

    struct LookupTimedOut: Error {}

    /// Each address's bytes (4 or 16). `getaddrinfo` blocks, so it runs on NIO's thread pool: never on the
    /// concurrency pool, which has one thread per core and also runs the booking actors. A lookup still running
    /// at `deadline` cannot be stopped; the wait for it ends and its answer is dropped when it comes.
    static func addresses(of host: String, before deadline: NIODeadline, on eventLoop: any EventLoop) async throws
        -> [[UInt8]]
    {
        let promise = eventLoop.makePromise(of: [[UInt8]].self)
        NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) { try lookUp(host) }.cascade(to: promise)
        let timer = eventLoop.scheduleTask(deadline: deadline) { promise.fail(LookupTimedOut()) }
        defer { timer.cancel() }
        return try await promise.futureResult.get()
    }

    private static func lookUp(_ host: String) throws -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            throw LookupFailed(reason: "host name not found (\(String(cString: gai_strerror(status))))")
        }
        defer { freeaddrinfo(first) }
        var addresses: [[UInt8]] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let socketAddress = current.pointee.ai_addr {
                switch current.pointee.ai_family {
                case AF_INET:
                    var raw = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    addresses.append(withUnsafeBytes(of: &raw) { Array($0) })
                case AF_INET6:
                    var raw = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                        $0.pointee.sin6_addr
                    }
                    addresses.append(withUnsafeBytes(of: &raw) { Array($0) })
                default:
                    break
                }
            }
            entry = current.pointee.ai_next
        }
        return addresses
    }

    /// An address's usual text form, for an operator reading why a delivery failed.
    static func text(of bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        guard inet_ntop(family, bytes, &buffer, socklen_t(buffer.count)) != nil else { return "\(bytes)" }
        return String(cString: buffer)
    }
}
