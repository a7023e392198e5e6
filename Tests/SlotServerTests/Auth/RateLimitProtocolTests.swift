import SlotAuth
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// The rate limits over TCP: a client token past its rate is told `rate_limited` with when to retry, and an address
/// that has used up its failed `auth` attempts is refused at once, even with a right secret, so secrets cannot be
/// guessed online by opening new connections.
@Suite struct RateLimitProtocolTests {
    @Test func aClientTokenPastItsRateIsToldWhenToRetry() async throws {
        let slow = { (configuration: inout ServerConfiguration) in
            configuration.rateLimits.perToken = BucketRate(burst: 5, permits: 1, seconds: 60)
        }
        try await AuthFixture.run(modify: slow) { fixture in
            let secret = try await fixture.token("busy-app", role: "client")
            try await fixture.connect(as: secret) { client in
                // The `auth` itself is not charged; five requests are the burst.
                for _ in 1...5 {
                    let listed = try await client.call(["op": "list_resources"])
                    #expect(listed.ok, "\(listed)")
                }
                let refused = try await client.call(["op": "list_resources"])
                #expect(refused.errorCode == "rate_limited", "\(refused)")
                #expect(refused["error"]?["scope"] == "token", "\(refused)")
                let wait = Int(refused["error"]?["retry_after_ms"]?.string ?? "") ?? 0
                #expect((1...60_000).contains(wait), "\(refused)")
            }
            // The admin's token has no per-token limit, and loopback no per-address one.
            try await fixture.connect { admin in
                for _ in 1...20 {
                    let listed = try await admin.call(["op": "list_resources"])
                    #expect(listed.ok, "\(listed)")
                }
            }
        }
    }

    @Test func anAddressOutOfAuthAttemptsIsRefusedWithoutTheSecretBeingChecked() async throws {
        let strict = { (configuration: inout ServerConfiguration) in
            configuration.rateLimits.authFailuresPerAddress = BucketRate(burst: 2, permits: 1, seconds: 3_600)
        }
        try await AuthFixture.run(modify: strict) { fixture in
            let guess = "slotd_" + String(repeating: "B", count: 43)
            for _ in 1...2 {
                try await fixture.server.connect { client in
                    let reply = try await client.call(["op": "auth", "token": .string(guess)])
                    #expect(reply.errorCode == "unauthenticated", "\(reply)")
                }
            }
            try await fixture.server.connect { client in
                let right = try await client.call(["op": "auth", "token": .string(fixture.adminSecret)])
                #expect(right.errorCode == "rate_limited", "\(right)")
                #expect(right["error"]?["scope"] == "auth", "\(right)")
            }
        }
    }
}
