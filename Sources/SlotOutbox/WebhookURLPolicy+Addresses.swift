import Foundation
import NIOCore

/// The address ranges a webhook may not reach without `--allow-private-webhooks`: everything that is this
/// machine, its local networks, or not a single internet host.
extension WebhookURLPolicy {
    /// An address slotd resolved a webhook's host name to.
    public static func isPrivate(_ address: SocketAddress) -> Bool {
        switch address {
        case .v4(let v4):
            var raw = v4.address.sin_addr
            return isPrivate(addressBytes: withUnsafeBytes(of: &raw) { Array($0) })
        case .v6(let v6):
            var raw = v6.address.sin6_addr
            return isPrivate(addressBytes: withUnsafeBytes(of: &raw) { Array($0) })
        case .unixDomainSocket:
            return true
        }
    }

    /// An address's bytes in network order: 4 for IPv4, 16 for IPv6. Any other length is not an internet
    /// address, and is refused too.
    public static func isPrivate(addressBytes bytes: [UInt8]) -> Bool {
        switch bytes.count {
        case 4: isPrivateIPv4(bytes[0], bytes[1])
        case 16: isPrivateIPv6(bytes)
        default: true
        }
    }

    /// By the first two bytes: every range below is /16 or wider.
    private static func isPrivateIPv4(_ first: UInt8, _ second: UInt8) -> Bool {
        switch first {
        // 0/8 "this network" (0.0.0.0 reaches this machine on Linux), 10/8 private, 127/8 loopback.
        case 0, 10, 127: true
        case 100: second & 0xC0 == 64  // 100.64/10, carrier-grade NAT
        case 169: second == 254  // 169.254/16, link-local (the cloud metadata address)
        case 172: second & 0xF0 == 16  // 172.16/12, private
        case 192: second == 168  // 192.168/16, private
        // 224/4 multicast, 240/4 reserved, 255.255.255.255 broadcast.
        case 224...255: true
        default: false
        }
    }

    private static func isPrivateIPv6(_ bytes: [UInt8]) -> Bool {
        let embedded = { (start: Int) in Self.isPrivateIPv4(bytes[start], bytes[start + 1]) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) {
            // ::ffff:a.b.c.d (IPv4-mapped) reaches the IPv4 address itself; ::a.b.c.d (IPv4-compatible) and
            // :: and ::1 (unspecified, loopback) fall in 0/8 as IPv4.
            if bytes[10] == 0xFF && bytes[11] == 0xFF { return embedded(12) }
            if bytes[10] == 0 && bytes[11] == 0 { return embedded(12) }
        }
        switch (bytes[0], bytes[1]) {
        case (0xFE, let second) where second & 0xC0 == 0x80: return true  // fe80::/10 link-local
        case (0xFE, let second) where second & 0xC0 == 0xC0: return true  // fec0::/10 site-local (deprecated)
        case (let first, _) where first & 0xFE == 0xFC: return true  // fc00::/7 unique local
        case (0xFF, _): return true  // ff00::/8 multicast
        // 2002::/16 (6to4) carries an IPv4 address in bytes 2...5 that the relay sends to.
        case (0x20, 0x02): return embedded(2)
        default: break
        }
        // 64:ff9b::/96 (NAT64) reaches the IPv4 address in its last 4 bytes; 64:ff9b:1::/48 is for local use.
        if bytes[0..<4].elementsEqual([0x00, 0x64, 0xFF, 0x9B]) {
            return bytes[4..<6].elementsEqual([0x00, 0x01]) || (bytes[4..<12].allSatisfy { $0 == 0 } && embedded(12))
        }
        return false
    }

    /// `inet_aton`'s reading, the one `getaddrinfo` gives a numeric host: dotted, shortened, octal and hex forms.
    static func ipv4Bytes(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_aton(text, &address) != 0 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    static func ipv6Bytes(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }
}
