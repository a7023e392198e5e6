import SlotAuth
import SlotDomain
import SlotServer
import Testing

@Suite struct RateLimiterTests {
    static let second: UInt64 = 1_000_000_000
    static let start: UInt64 = 7 * second
    static let remote = ClientAddress(text: "203.0.113.9")
    static let loopback = ClientAddress(text: "127.0.0.1")

    static func token(_ number: UInt64, _ role: Role) -> TokenRecord {
        TokenRecord(
            id: TokenID(number: number), name: "n\(number)", role: role, tenant: nil, customer: nil,
            createdAt: Instant(secondsSinceEpoch: 0), expiresAt: nil, secretHash: Array(repeating: 0, count: 32))
    }

    static func limits(token: UInt64?, address: UInt64?, keysMax: Int = 1_000) -> ServerConfiguration.RateLimits {
        var limits = ServerConfiguration.RateLimits()
        limits.perToken = token.map { BucketRate(burst: $0, permits: $0) }
        limits.perAddress = address.map { BucketRate(burst: $0, permits: $0) }
        limits.trackedKeysMax = keysMax
        return limits
    }

    /// Admits `count` requests at one instant and returns how many passed.
    static func admitted(
        _ limiter: RateLimiter, _ count: Int, address: ClientAddress = remote, token: TokenRecord? = nil,
        at now: UInt64 = start
    ) -> Int {
        (0..<count).count { _ in limiter.admit(address: address, token: token, nowNanoseconds: now) == nil }
    }

    @Test func aClientTokenIsLimitedOverAllItsAddressesAndOthersAreNot() {
        let limiter = RateLimiter(limits: Self.limits(token: 5, address: nil))
        let client = Self.token(1, .client)
        #expect(Self.admitted(limiter, 3, address: Self.remote, token: client) == 3)
        #expect(Self.admitted(limiter, 3, address: Self.loopback, token: client) == 2)
        let refusal = limiter.admit(address: Self.loopback, token: client, nowNanoseconds: Self.start)
        #expect(refusal == RateLimiter.Refusal(scope: .token, retryAfter: RetryAfter(milliseconds: 200)))
        #expect(Self.admitted(limiter, 5, token: Self.token(2, .reader)) == 5)
        #expect(Self.admitted(limiter, 50, token: Self.token(3, .operator)) == 50)
        #expect(Self.admitted(limiter, 50, token: Self.token(4, .admin)) == 50)
        #expect(Self.admitted(limiter, 1, token: client, at: Self.start + Self.second / 5) == 1)
    }

    @Test func anAddressIsLimitedWithOrWithoutTokenButLoopbackIsNotByDefault() {
        let limiter = RateLimiter(limits: Self.limits(token: nil, address: 4))
        #expect(Self.admitted(limiter, 2) == 2)
        #expect(Self.admitted(limiter, 4, token: Self.token(1, .admin)) == 2)
        #expect(limiter.admit(address: Self.remote, token: nil, nowNanoseconds: Self.start)?.scope == .address)
        #expect(Self.admitted(limiter, 4, address: ClientAddress(text: "203.0.113.10")) == 4)
        #expect(Self.admitted(limiter, 1_000, address: Self.loopback) == 1_000)
        #expect(Self.admitted(limiter, 1_000, address: ClientAddress(text: "::1")) == 1_000)
        #expect(limiter.trackedKeys.addresses == 2)

        var limits = Self.limits(token: nil, address: 4)
        limits.addressLimitsApplyToLoopback = true
        #expect(Self.admitted(RateLimiter(limits: limits), 10, address: Self.loopback) == 4)
    }

    @Test func aRefusedRequestCostsNothingAndNamesTheLongerWait() {
        let limiter = RateLimiter(limits: Self.limits(token: 2, address: 3))
        let client = Self.token(1, .client)
        #expect(Self.admitted(limiter, 3, token: client) == 2)
        // The token refused the third: its address permit was given back, so the address still has one.
        #expect(Self.admitted(limiter, 1) == 1)
        // Both exhausted: the token waits 500 ms for one permit, the address 333.3 ms.
        let refusal = limiter.admit(address: Self.remote, token: client, nowNanoseconds: Self.start)
        #expect(refusal == RateLimiter.Refusal(scope: .token, retryAfter: RetryAfter(milliseconds: 500)))
        // A refusal by the address does not charge the token: half a second later it has exactly one permit.
        let later = Self.start + Self.second / 2
        #expect(Self.admitted(limiter, 1, address: ClientAddress(text: "198.51.100.1"), token: client, at: later) == 1)
        #expect(Self.admitted(limiter, 1, address: ClientAddress(text: "198.51.100.1"), token: client, at: later) == 0)
    }

    @Test func aRequestDearerThanTheBurstTakesTheWholeBurstInsteadOfNeverPassing() {
        let limiter = RateLimiter(limits: Self.limits(token: nil, address: 4))
        #expect(limiter.admit(address: Self.remote, token: nil, permits: 100, nowNanoseconds: Self.start) == nil)
        #expect(Self.admitted(limiter, 1) == 0)
    }

    @Test func aFloodOfDistinctAddressesStaysWithinTrackedKeysMax() {
        let limiter = RateLimiter(limits: Self.limits(token: nil, address: 10, keysMax: 100))
        // A debtor that used its whole burst, then 10,000 addresses sending one request each.
        let debtor = ClientAddress(text: "192.0.2.1")
        #expect(Self.admitted(limiter, 10, address: debtor) == 10)
        var peak = 0
        for index in 0..<10_000 {
            let address = ClientAddress(text: "10.\(index / 65_536).\(index / 256 % 256).\(index % 256)")
            #expect(limiter.admit(address: address, token: nil, nowNanoseconds: Self.start) == nil)
            peak = max(peak, limiter.trackedKeys.addresses)
        }
        #expect(peak <= 100)
        // The fullest buckets are forgotten first: the debtor owes the most, so it is still refused.
        #expect(Self.admitted(limiter, 1, address: debtor) == 0)
        // IPv6 addresses of one /64 share a bucket.
        #expect(Self.admitted(limiter, 6, address: ClientAddress(text: "2001:db8:1:2::1")) == 6)
        #expect(Self.admitted(limiter, 6, address: ClientAddress(text: "2001:db8:1:2:ffff::9")) == 4)
        #expect(Self.admitted(limiter, 6, address: ClientAddress(text: "2001:db8:1:3::1")) == 6)
    }

    @Test func concurrentConnectionsOfOneTokenGetExactlyTheBurst() async {
        let limiter = RateLimiter(limits: Self.limits(token: 2_000, address: nil))
        let client = Self.token(1, .client)
        let counts = await withTaskGroup(of: Int.self) { group in
            for index in 0..<8 {
                group.addTask {
                    let address = ClientAddress(text: "198.51.100.\(index)")
                    return Self.admitted(limiter, 1_000, address: address, token: client)
                }
            }
            return await group.reduce(0, +)
        }
        #expect(counts == 2_000)
    }

    @Test func clientAddressesAreKeyedByIPv4AddressOrIPv6Network() {
        #expect(ClientAddress(text: "::ffff:198.51.100.7") == ClientAddress(text: "198.51.100.7"))
        #expect(ClientAddress(text: "198.51.100.7").description == "198.51.100.7")
        #expect(ClientAddress(text: "2001:db8:0:a::5").description == "2001:db8:0:a::/64")
        #expect(ClientAddress(text: "127.3.2.1").isLoopback)
        #expect(ClientAddress(text: "::1").isLoopback)
        #expect(!ClientAddress(text: "::2").isLoopback)
        #expect(!ClientAddress(text: "10.0.0.1").isLoopback)
        #expect(ClientAddress(text: "?") == ClientAddress(nil))
        #expect(ClientAddress(text: "?").description == "unknown")
    }
}

@Suite struct AuthThrottleTests {
    static let second: UInt64 = 1_000_000_000
    static let start: UInt64 = 3 * second

    static func throttle(burst: UInt64, everySeconds: UInt64) -> AuthThrottle {
        var limits = ServerConfiguration.RateLimits()
        limits.authFailuresPerAddress = BucketRate(burst: burst, permits: 1, seconds: everySeconds)
        return AuthThrottle(limits: limits)
    }

    @Test func failuresUseUpTheAddressesAttemptsThenAuthIsRefusedUntilOneRefills() {
        let throttle = Self.throttle(burst: 3, everySeconds: 10)
        let address = ClientAddress(text: "127.0.0.1")
        for _ in 0..<3 { #expect(throttle.beginAttempt(from: address, nowNanoseconds: Self.start) == nil) }
        #expect(throttle.beginAttempt(from: address, nowNanoseconds: Self.start) == RetryAfter(milliseconds: 10_000))
        #expect(throttle.beginAttempt(from: address, nowNanoseconds: Self.start + 9 * Self.second) != nil)
        #expect(throttle.beginAttempt(from: address, nowNanoseconds: Self.start + 10 * Self.second) == nil)
        #expect(throttle.beginAttempt(from: ClientAddress(text: "::1"), nowNanoseconds: Self.start) == nil)
    }

    @Test func aRightSecretCostsNothingAndForgivesNothing() {
        let throttle = Self.throttle(burst: 2, everySeconds: 60)
        let address = ClientAddress(text: "203.0.113.5")
        for _ in 0..<100 {
            #expect(throttle.beginAttempt(from: address, nowNanoseconds: Self.start) == nil)
            throttle.succeeded(from: address, nowNanoseconds: Self.start)
        }
        #expect(throttle.trackedAddresses == 0)
        #expect(throttle.beginAttempt(from: address, nowNanoseconds: Self.start) == nil)  // fails
        #expect(throttle.beginAttempt(from: address, nowNanoseconds: Self.start) == nil)
        throttle.succeeded(from: address, nowNanoseconds: Self.start)
        #expect(throttle.beginAttempt(from: address, nowNanoseconds: Self.start) == nil)  // fails
        #expect(throttle.beginAttempt(from: address, nowNanoseconds: Self.start) != nil)
    }

    @Test func racingConnectionsFromOneAddressGetNoMoreAttemptsThanTheBurst() async {
        let throttle = Self.throttle(burst: 10, everySeconds: 10)
        let address = ClientAddress(text: "203.0.113.5")
        let attempts = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (0..<50).count { _ in throttle.beginAttempt(from: address, nowNanoseconds: Self.start) == nil }
                }
            }
            return await group.reduce(0, +)
        }
        #expect(attempts == 10)
    }
}
