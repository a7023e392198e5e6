import Foundation
import SlotClient
import SlotDomain
import SlotServer
import SlotTesting
import SlotWire
import Testing

/// The `monitor` op over TCP: its `seconds` bound, the samples it returns once traffic has been counted and a
/// second has closed, and who may send it (docs/PROTOCOL.md, "monitor").
@Suite struct MonitorOpTests {
    /// How long a test waits for the sampler to close the second that counted its traffic (it closes one a second).
    static let sampleWaitSeconds = 10

    @Test func secondsOutsideItsBoundIsRefusedNamingTheField() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                let bad: [JSONValue] = [0, -1, .number(Double(LiveSample.secondsKept + 1)), 2.5, "5", true]
                for seconds in bad {
                    let reply = try await client.call(["op": "monitor", "seconds": seconds])
                    #expect(reply.errorCode == "invalid_request", "seconds \(seconds): \(reply)")
                    #expect(reply["error"]?["field"] == "seconds", "seconds \(seconds): \(reply)")
                }
                let unknown = try await client.call(["op": "monitor", "resource": "r"])
                #expect(unknown.errorCode == "invalid_request" && unknown["error"]?["field"] == "resource")
                let batched = try await client.call(["op": "batch", "atomic": false, "ops": [["op": "monitor"]]])
                #expect(batched["results"]?[0]?["error"]?["code"] == "invalid_request", "\(batched)")
                #expect(batched["results"]?[0]?["error"]?["message"] == "op monitor cannot be part of a batch")
                // A null `seconds` is a missing one, as for every field: the default.
                let null = try await client.call(["op": "monitor", "seconds": .null])
                #expect(null.ok, "\(null)")
                // The bounds themselves are accepted.
                for seconds in [1, LiveSample.secondsKept] {
                    let reply = try await client.call(["op": "monitor", "seconds": .number(Double(seconds))])
                    #expect(reply.ok && reply["samples"]?.array != nil, "\(reply)")
                }
            }
        }
    }

    @Test func samplesCountTheTrafficOnceItsSecondHasClosed() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                let pings = 25
                let replies = try await client.pipeline(Array(repeating: ["op": "ping"], count: pings))
                #expect(replies.allSatisfy { $0.ok })
                let refused = try await client.call(["op": "get_resource", "resource": "nowhere"])
                #expect(refused.errorCode == "not_found")

                // The traffic may straddle a second: wait until the seconds holding all of it have closed.
                var counted: [LiveSample] = []
                let deadline = ContinuousClock.now + .seconds(Self.sampleWaitSeconds)
                while Self.total("get_resource", counted) < 1, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(200))
                    let reply = try await client.call(["op": "monitor", "seconds": 30])
                    let samples = try #require(reply["samples"]?.array, "\(reply)")
                    #expect(samples.count <= 30)
                    counted = samples.compactMap(LiveSample.init(json:))
                    #expect(counted.count == samples.count, "every sample has every field: \(reply)")
                }
                #expect(Self.total("get_resource", counted) == 1, "not counted within \(Self.sampleWaitSeconds) s")
                #expect(Self.total("ping", counted) == pings)
                #expect(counted.map(\.errors).reduce(0, +) == 1)
                let busy = counted.filter { $0.requestsByOp["ping"] != nil }
                #expect(!busy.isEmpty && busy.allSatisfy { $0.connections == 1 && $0.durationP99Seconds != nil })

                let newest = try await client.call(["op": "monitor"])
                #expect(newest["samples"]?.array?.count == 1, "seconds defaults to 1: \(newest)")
            }
        }
    }

    /// Without the HTTP port slotd records no metrics, so there are no samples to return: a clear refusal rather
    /// than an empty list that looks like an idle server.
    @Test func withoutTheHTTPPortMonitorSaysNoSamplesAreKept() async throws {
        let configuration = TestServer.configuration { $0.http.port = nil }
        try await TestServer.run(configuration: configuration) { server in
            try await server.connect { client in
                let reply = try await client.call(["op": "monitor", "seconds": 5])
                #expect(reply.errorCode == "invalid_request" && reply["error"]?["field"] == "op", "\(reply)")
                #expect(reply["error"]?["message"]?.string?.contains("--http-port off") == true, "\(reply)")
            }
        }
    }

    static func total(_ op: String, _ samples: [LiveSample]) -> Int {
        samples.map { $0.requestsByOp[op] ?? 0 }.reduce(0, +)
    }

    /// The samples are the server's load, not any tenant's data: a tenant's operator sees them, as it sees
    /// `stats`' journal and connection numbers, `/metrics` and the operator page's request charts.
    @Test func anOperatorWithATenantMayWatchTooButNotSnapshot() async throws {
        try await AuthFixture.run { fixture in
            let tenantOperator = try await fixture.token("acme-ops", role: "operator", extra: ["tenant": "acme"])
            try await fixture.connect(as: tenantOperator) { client in
                let reply = try await client.call(["op": "monitor", "seconds": 5])
                #expect(reply.ok && reply["samples"]?.array != nil, "\(reply)")
                let snapshot = try await client.call(["op": "snapshot"])
                #expect(snapshot.errorCode == "forbidden", "\(snapshot)")
            }
            let client = try await fixture.token("acme-app", role: "client", extra: ["tenant": "acme"])
            try await fixture.connect(as: client) { client in
                let reply = try await client.call(["op": "monitor"])
                #expect(reply.errorCode == "forbidden" && reply["error"]?["required_role"] == "operator")
            }
        }
    }
}
