import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// `slotd_connections_refused_total{reason}`: one series per reason from the start, each counting the
/// connections the server refused or closed for that limit.
@Suite struct ConnectionRefusalMetricsTests {
    static let reasons = [
        "connections_max", "address_connections_max", "tls_handshake_timeout", "idle_timeout", "replies_not_read",
        "line_timeout", "line_too_long", "reply_budget", "auth_failures",
    ]

    /// Two connections from one address where two are allowed: a third is refused on arrival, one of the two
    /// closed for a line over the limit, and the other closed once idle.
    @Test func refusalsAreCountedByReason() async throws {
        let configuration = TestServer.configuration {
            $0.connectionsPerAddressMax = 2
            $0.idleTimeoutSeconds = 2
        }
        try await TestServer.run(configuration: configuration) { server in
            let httpPort = try #require(server.httpPort)
            let start = try await HTTPProbe.get(port: httpPort, "/metrics")
            for reason in Self.reasons {
                #expect(start.value("slotd_connections_refused_total", ["reason": reason]) == 0, "\(reason)")
            }
            #expect(start.samples.filter { $0.name == "slotd_connections_refused_total" }.count == Self.reasons.count)
            try await SlotConnection.withConnection(port: server.port) { first in
                #expect(try await first.call(["op": "ping"]).ok)
                try await SlotConnection.withConnection(port: server.port) { second in
                    #expect(try await second.call(["op": "ping"]).ok)
                    let refusal = try await SlotConnection.withConnection(port: server.port) { try await $0.receive() }
                    #expect(refusal["error"]?["scope"] == "address", "\(refusal)")
                    try await second.sendRaw(
                        Array(repeating: UInt8(ascii: "a"), count: server.runtime.configuration.lineBytesMax + 10) + [
                            10
                        ])
                    #expect(try await second.receive()["error"]?["code"] == "line_too_long")
                }
                let idle = try await first.receive()
                #expect(idle["error"]?["code"] == "idle_timeout", "\(idle)")
            }
            let scrape = try await HTTPProbe.get(port: httpPort, "/metrics")
            let expected = ["address_connections_max": 1.0, "line_too_long": 1, "idle_timeout": 1]
            for reason in Self.reasons {
                #expect(
                    scrape.value("slotd_connections_refused_total", ["reason": reason]) == expected[reason] ?? 0,
                    "\(reason)")
            }
        }
    }

    /// A connection closed after `authFailuresPerConnectionMax` wrong secrets counts once under `auth_failures`.
    @Test func aConnectionClosedForFailedAuthsIsCounted() async throws {
        try await AuthFixture.run { fixture in
            let httpPort = try #require(fixture.server.httpPort)
            let failures = fixture.server.runtime.configuration.rateLimits.authFailuresPerConnectionMax
            try await fixture.server.connect { (client: SlotConnection) async throws in
                let wrong: JSONValue = ["op": "auth", "token": "slotd_notTheRightSecretButShapedLikeOne0123456789abcd"]
                for _ in 0..<(failures - 1) {
                    #expect(try await client.call(wrong)["error"]?["code"] == "unauthenticated")
                }
                let last = try await client.call(wrong)
                #expect(last["error"]?["message"]?.string?.hasSuffix("closing the connection") == true, "\(last)")
            }
            let scrape = try await HTTPProbe.get(port: httpPort, "/metrics", token: fixture.adminSecret)
            #expect(scrape.value("slotd_connections_refused_total", ["reason": "auth_failures"]) == 1)
        }
    }
}
