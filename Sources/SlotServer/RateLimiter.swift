import SlotAuth
import SlotDomain
import Synchronization

/// Requests per token and per client address, in token buckets (`ServerConfiguration.RateLimits`), shared by every
/// connection. The connection asks `admit` once per request line, before decoding it further.
///
/// A request no limit applies to (from loopback, with no token or one whose role has no per-token limit) does not
/// touch the lock, so a local load test pays a few comparisons per request. One that some limit applies to holds
/// the lock once, for one or two dictionary updates.
public final class RateLimiter: Sendable {
    /// A refused request: which limit and how long until it would be admitted.
    public struct Refusal: Hashable, Sendable {
        public enum Scope: String, Sendable {
            case token
            case address
        }

        public let scope: Scope
        public let retryAfter: RetryAfter

        public init(scope: Scope, retryAfter: RetryAfter) {
            self.scope = scope
            self.retryAfter = retryAfter
        }
    }

    private struct Tables: Sendable {
        var addresses: BucketTable<ClientAddress>?
        var tokens: BucketTable<TokenID>?
    }

    public let limits: ServerConfiguration.RateLimits
    private let tables: Mutex<Tables>

    public init(limits: ServerConfiguration.RateLimits) {
        self.limits = limits
        tables = Mutex(
            Tables(
                addresses: limits.perAddress.map { BucketTable(rate: $0, keysMax: limits.trackedKeysMax) },
                tokens: limits.perToken.map { BucketTable(rate: $0, keysMax: limits.trackedKeysMax) }))
    }

    /// Whether requests from `address` count against the per-address limit.
    public func limitsAddress(_ address: ClientAddress) -> Bool {
        limits.perAddress != nil && (!address.isLoopback || limits.addressLimitsApplyToLoopback)
    }

    /// Whether requests made as `token` count against the per-token limit.
    public func limitsToken(_ token: TokenRecord) -> Bool {
        limits.perToken != nil && token.role < limits.unlimitedTokenRolesFrom
    }

    /// Takes `permits` (1 for a request line) from the address's bucket and, on an authenticated connection, the
    /// token's, both or neither; nil when admitted. `nowNanoseconds` is a monotonic clock (for example
    /// `NIODeadline.now().uptimeNanoseconds`). When both limits are exhausted, the refusal names the one with the
    /// longer wait.
    public func admit(
        address: ClientAddress, token: TokenRecord?, permits: UInt64 = 1, nowNanoseconds: UInt64
    ) -> Refusal? {
        let byAddress = limitsAddress(address)
        let tokenID = token.flatMap { limitsToken($0) ? $0.id : nil }
        guard byAddress || tokenID != nil else { return nil }
        return tables.withLock { tables in
            var addressWait: RetryAfter?
            if byAddress {
                addressWait = tables.addresses?.take(address, count: permits, nowNanoseconds: nowNanoseconds)
            }
            guard let tokenID else { return addressWait.map { Refusal(scope: .address, retryAfter: $0) } }
            guard addressWait == nil else {
                // Report the longer wait, without charging the token for a request that is refused anyway.
                let tokenWait = tables.tokens?.wait(tokenID, count: permits, nowNanoseconds: nowNanoseconds)
                return longer(addressWait, tokenWait)
            }
            guard let tokenWait = tables.tokens?.take(tokenID, count: permits, nowNanoseconds: nowNanoseconds)
            else { return nil }
            if byAddress { tables.addresses?.giveBack(address, count: permits, nowNanoseconds: nowNanoseconds) }
            return Refusal(scope: .token, retryAfter: tokenWait)
        }
    }

    /// Keys tracked now, per table (for tests and `stats`).
    public var trackedKeys: (addresses: Int, tokens: Int) {
        tables.withLock { ($0.addresses?.buckets.count ?? 0, $0.tokens?.buckets.count ?? 0) }
    }

    private func longer(_ addressWait: RetryAfter?, _ tokenWait: RetryAfter?) -> Refusal? {
        guard let addressWait else { return tokenWait.map { Refusal(scope: .token, retryAfter: $0) } }
        guard let tokenWait, tokenWait > addressWait else { return Refusal(scope: .address, retryAfter: addressWait) }
        return Refusal(scope: .token, retryAfter: tokenWait)
    }
}

/// Failed `auth` attempts per client address (`ServerConfiguration.RateLimits.authFailuresPerAddress`), so secrets
/// cannot be guessed online. Every attempt takes a permit before the secret is looked at, so connections racing
/// from one address get no more tries than the bucket holds; a right secret gives its own permit back, so a client
/// that authenticates many connections is never slowed down, and earlier failures stay counted. Loopback is not
/// exempt: nothing legitimate needs wrong secrets quickly.
public final class AuthThrottle: Sendable {
    private let failures: Mutex<BucketTable<ClientAddress>>

    public init(limits: ServerConfiguration.RateLimits) {
        failures = Mutex(BucketTable(rate: limits.authFailuresPerAddress, keysMax: limits.trackedKeysMax))
    }

    /// Call before checking a presented secret: nil to go on, or how long the address must wait, in which case the
    /// secret must not be checked and the attempt is refused at once.
    public func beginAttempt(from address: ClientAddress, nowNanoseconds: UInt64) -> RetryAfter? {
        failures.withLock { $0.take(address, count: 1, nowNanoseconds: nowNanoseconds) }
    }

    /// Call when the secret was right: the attempt does not count as a failure.
    public func succeeded(from address: ClientAddress, nowNanoseconds: UInt64) {
        failures.withLock { $0.giveBack(address, count: 1, nowNanoseconds: nowNanoseconds) }
    }

    /// Addresses with failures still counted.
    public var trackedAddresses: Int { failures.withLock { $0.buckets.count } }
}
