import NIOCore

/// A client's address as rate limits and the brute-force throttle count it: an IPv4 address, or the /64 network
/// of an IPv6 address (one customer's network gets a whole /64, and could otherwise take a fresh address for every
/// request). An IPv4 address written as IPv6 (`::ffff:a.b.c.d`) counts as the IPv4 one. Two integers, so a table
/// lookup hashes 16 bytes, not text. Work it out once per connection.
public struct ClientAddress: Hashable, Sendable, CustomStringConvertible {
    /// IPv6: the first 64 bits; IPv4: 0.
    private let network: UInt64
    /// IPv4: the address with bit 32 set, so no IPv6 key equals it; IPv6: 0; unknown: 1 (one shared key).
    private let host: UInt64
    /// 127.0.0.0/8 or ::1: the server's own machine.
    public let isLoopback: Bool

    public init(_ address: SocketAddress?) {
        switch address {
        case .v4(let v4):
            self.init(ipv4: UInt32(bigEndian: v4.address.sin_addr.s_addr))
        case .v6(let v6):
            var bytes = v6.address.sin6_addr
            let octets = withUnsafeBytes(of: &bytes) { Array($0) }
            self.init(ipv6: octets)
        case .unixDomainSocket, .none:
            self.init(network: 0, host: 1, isLoopback: false)
        }
    }

    /// Parses `a.b.c.d` or an IPv6 address; anything else is the shared unknown address.
    public init(text: String) {
        self.init(try? SocketAddress(ipAddress: text, port: 0))
    }

    private init(network: UInt64, host: UInt64, isLoopback: Bool) {
        self.network = network
        self.host = host
        self.isLoopback = isLoopback
    }

    private init(ipv4: UInt32) {
        self.init(network: 0, host: 1 << 32 | UInt64(ipv4), isLoopback: ipv4 >> 24 == 127)
    }

    private init(ipv6 octets: [UInt8]) {
        let high = octets[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let low = octets[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        if high == 0, low >> 32 == 0xFFFF {
            self.init(ipv4: UInt32(truncatingIfNeeded: low))
        } else {
            self.init(network: high, host: 0, isLoopback: high == 0 && low == 1)
        }
    }

    public var description: String {
        if host == 1 { return "unknown" }
        if host != 0 {
            return (0..<4).reversed().map { String(host >> (8 * $0) & 0xFF) }.joined(separator: ".")
        }
        if isLoopback { return "::1" }
        let groups = (0..<4).reversed().map { String(network >> (16 * $0) & 0xFFFF, radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }
}
