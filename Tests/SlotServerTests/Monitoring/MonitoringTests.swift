import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// The HTTP side port: `/health`, `/ready` and `/metrics`, read over HTTP by Python's `urllib` and, for
/// `/metrics`, parsed by `prometheus_client`'s parser (`HTTPProbe`).
@Suite struct MonitoringTests {
    static let hold = Requests.hold("r", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z")

    /// A known mix of requests over TCP, then exact counts: one series per (op, code), the line that is not JSON
    /// under `undecoded`, a histogram count per op, and the gauges read at the scrape.
    @Test func metricsCountAKnownMixOfRequestsExactly() async throws {
        try await TestServer.run { server in
            let httpPort = try #require(server.httpPort)
            try await server.connect { client in
                #expect(try await client.call(Requests.createResource("r")).ok)
                #expect(try await client.call(Self.hold).ok)
                let taken = try await client.call(Self.hold)
                #expect(taken["error"]?["code"] == "slot_unavailable", "\(taken)")
                for _ in 0..<3 { #expect(try await client.call(["op": "ping"]).ok) }
                try await client.send("{not json")
                let bad = try await client.receive()
                #expect(bad["error"]?["code"] == "bad_json", "\(bad)")
                #expect(
                    try await client.call(["op": "get_resource", "resource": "nope"])["error"]?["code"] == "not_found")

                let scrape = try await HTTPProbe.get(port: httpPort, "/metrics")
                #expect(scrape.status == 200)
                let total = "slotd_requests_total"
                #expect(scrape.value(total, ["op": "create_resource", "code": "ok"]) == 1)
                #expect(scrape.value(total, ["op": "hold", "code": "ok"]) == 1)
                #expect(scrape.value(total, ["op": "hold", "code": "slot_unavailable"]) == 1)
                #expect(scrape.value(total, ["op": "ping", "code": "ok"]) == 3)
                #expect(scrape.value(total, ["op": "undecoded", "code": "bad_json"]) == 1)
                #expect(scrape.value(total, ["op": "get_resource", "code": "not_found"]) == 1)
                #expect(scrape.value(total, ["op": "get_resource", "code": "ok"]) == 0)
                let requests = scrape.samples.filter { $0.name == total }.reduce(0) { $0 + $1.value }
                #expect(requests == 8)
                #expect(scrape.value("slotd_request_duration_seconds_count", ["op": "ping"]) == 3)
                #expect(scrape.value("slotd_request_duration_seconds_count", ["op": "hold"]) == 2)
                #expect(scrape.value("slotd_request_duration_seconds_bucket", ["op": "ping", "le": "+Inf"]) == 3)
                #expect(scrape.value("slotd_connections") == 1)
                #expect(scrape.value("slotd_journal_queue_depth") == 0)
            }
        }
    }

    @Test func healthAndReadinessAnswerOnceServing() async throws {
        try await TestServer.run { server in
            let httpPort = try #require(server.httpPort)
            let health = try await HTTPProbe.get(port: httpPort, "/health")
            #expect(health.status == 200)
            #expect(try health.json()["status"] == "ok")
            let ready = try await HTTPProbe.get(port: httpPort, "/ready")
            #expect(ready.status == 200)
            #expect(try ready.json()["status"] == "ready")
            #expect(try await HTTPProbe.get(port: httpPort, "/nowhere").status == 404)
        }
    }

    /// `ServerConfiguration.HTTP`'s limits on a request: a body over `bodyBytesMax` gets 413, a head over
    /// `headBytesMax` 400 (or the connection closed), a method other than GET 405.
    @Test func theHTTPPortBoundsWhatARequestMaySend() async throws {
        try await TestServer.run { server in
            let httpPort = try #require(server.httpPort)
            let limits = ServerConfiguration.HTTP()
            let large = try await HTTPProbe.get(port: httpPort, "/health", bodyBytes: limits.bodyBytesMax + 1)
            #expect(large.status == 413, "\(large.body)")
            #expect(try await HTTPProbe.get(port: httpPort, "/health", bodyBytes: 10).status == 405)
            let head = try await HTTPProbe.get(port: httpPort, "/health", headerBytes: limits.headBytesMax + 1)
            #expect(head.status == 400 || head.status == 0, "\(head.body)")
            #expect(try await HTTPProbe.get(port: httpPort, "/health", headerBytes: 1_000).status == 200)
        }
    }

    @Test func theHTTPPortCanBeTurnedOff() async throws {
        let configuration = TestServer.configuration { $0.http.port = nil }
        try await TestServer.run(configuration: configuration) { server in
            #expect(server.httpPort == nil)
            let pong = try await server.connect { try await $0.call(["op": "ping"]) }
            #expect(pong.ok)
        }
    }

    /// A real slotd told to stop (SIGTERM) while a client keeps its connection open: the TCP port waits for the
    /// client (`shutdownLingerSeconds`), and meanwhile `/ready` says 503 and why.
    @Test func readinessIs503OnceAGracefulShutdownHasBegun() async throws {
        let folder = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let slotd = try await SlotdProcess(dataDirectory: folder)
        let httpPort = try #require(slotd.httpPort)
        #expect(try await HTTPProbe.get(port: httpPort, "/ready").status == 200)
        let ready = try await HTTPProbe.get(
            port: httpPort, "/ready", until: 503, stopping: (slotd.port, slotd.process.processIdentifier))
        #expect(ready.status == 503)
        #expect(try ready.json()["reason"] == "shutting_down")
        #expect(try await slotd.exitStatus(withinSeconds: 10) == 0)
    }

    /// With authentication required, `/metrics` needs an operator's bearer token; `/health` and `/ready` never do.
    @Test func metricsNeedAnOperatorTokenWhenAuthenticationIsRequired() async throws {
        try await AuthFixture.run { fixture in
            let httpPort = try #require(fixture.server.httpPort)
            let reader = try await fixture.token("dashboard", role: "reader")
            let operatorSecret = try await fixture.token("prometheus", role: "operator")
            let anonymous = try await HTTPProbe.get(port: httpPort, "/metrics")
            #expect(anonymous.status == 401)
            #expect(try anonymous.json()["error"] == "unauthenticated")
            let wrong = "slotd_notTheRightSecretButShapedLikeOne0123456789abcd"
            #expect(try await HTTPProbe.get(port: httpPort, "/metrics", token: wrong).status == 401)
            let forbidden = try await HTTPProbe.get(port: httpPort, "/metrics", token: reader)
            #expect(forbidden.status == 403)
            #expect(try forbidden.json()["error"] == "forbidden")
            let allowed = try await HTTPProbe.get(port: httpPort, "/metrics", token: operatorSecret)
            #expect(allowed.status == 200)
            #expect(allowed.value("slotd_requests_total", ["op": "create_token", "code": "ok"]) == 2)
            #expect(try await HTTPProbe.get(port: httpPort, "/metrics", token: fixture.adminSecret).status == 200)
            #expect(try await HTTPProbe.get(port: httpPort, "/health").status == 200)
            #expect(try await HTTPProbe.get(port: httpPort, "/ready").status == 200)
        }
    }
}
