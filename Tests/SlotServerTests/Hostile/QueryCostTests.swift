import Foundation
import SlotClient
import SlotDomain
import SlotTesting
import Testing

/// Work proportional to the answer, not to a product of inputs. Against the real binary: a
/// month-long `availability` on a one-minute resource, `list_resources` over thousands of resources, and a booking
/// rescheduled hundreds of times, each costing the server little CPU while an unrelated client is served.
@Suite(.serialized) struct QueryCostTests {
    /// A UTC midnight a few days from now.
    static let origin: Int64 = {
        let now = Int64(Date().timeIntervalSince1970)
        return now - now % 86_400 + 2 * 86_400
    }()

    static func at(days: Int64, minutes: Int64 = 0) -> JSONValue {
        .string(RFC3339.format(Instant(secondsSinceEpoch: origin + days * 86_400 + minutes * 60)))
    }

    /// The unrelated client was answered every time, and never waited a second: generous for a busy 2-core
    /// machine, where a request that blocked the server's threads would show as many seconds.
    static func expectServed(_ probe: PingProbe) async {
        let failures = await probe.failures
        let slowestMilliseconds = await probe.slowestMilliseconds
        #expect(failures.isEmpty, "\(failures)")
        #expect(slowestMilliseconds < PingProbe.slowestMillisecondsBound, "slowest ping \(slowestMilliseconds) ms")
    }

    static func withServer(_ body: (SlotdProcess) async throws -> Void) async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await SlotdProcess(dataDirectory: directory)
        try await body(server)
        _ = try await server.terminate()
    }

    /// The costliest shape for a check per start: every start of a month, each over a month-long booking, on a
    /// capacity-2 resource with one-minute slots that one booking half fills (so no check stopped early).
    @Test func availabilityForAMonthLongStayCostsTheRangeNotStartsTimesDuration() async throws {
        try await Self.withServer { server in
            try await SlotConnection.withConnection(port: server.port) { client in
                #expect(
                    try await client.call([
                        "op": "create_resource", "resource": "loft", "tz": "UTC", "slot_minutes": 1, "capacity": 2,
                        "horizon_days": 400,
                    ]).ok)
                let half = try await client.call([
                    "op": "book", "resource": "loft", "start": Self.at(days: 1), "end": Self.at(days: 32),
                    "customer": "a",
                ])
                #expect(half.ok, "\(half)")
                let full = try await client.call([
                    "op": "book", "resource": "loft", "start": Self.at(days: 20), "end": Self.at(days: 20, minutes: 60),
                    "customer": "b",
                ])
                #expect(full.ok, "\(full)")
            }
            let before = try #require(server.cost)
            let (reply, probe) = try await PingProbe.whilePinging(port: server.port) {
                try await SlotConnection.withConnection(port: server.port) { client in
                    try await client.call([
                        "op": "availability", "resource": "loft", "from": Self.at(days: 0), "to": Self.at(days: 30),
                        "duration_minutes": .number(31 * 1_440),
                    ])
                }
            }
            let after = try #require(server.cost, "the server is still running")
            // Only starts after the full hour on day 20 leave room for 31 days: from 01:00 on day 20 to day 30.
            let slots = try #require(reply["slots"]?.array, "\(reply)")
            #expect(slots.count == 10 * 1_440 - 60)
            #expect(slots.first == Self.at(days: 20, minutes: 60))
            // A check per start would read 43,200 starts × 44,640 granules × two layers, about 4·10⁹ counters; one pass
            // reads about 10⁵. Two seconds leaves room for a busy machine and the reply of 12,900 starts.
            let cpuSeconds = after.cpuSeconds - before.cpuSeconds
            #expect(cpuSeconds < 2, "availability cost \(cpuSeconds) s of CPU")
            // One second: the query runs on the resource's own actor; a ping never waits for it.
            await QueryCostTests.expectServed(probe)
        }
    }

    static let resourceCount = 5_000

    /// Creates `resourceCount` resources in a shuffled order, so the ordered index is built by inserts all over it.
    static func createResources(_ client: SlotConnection) async throws -> [String] {
        var random = SplitMix64(seed: 14)
        let names = (0..<resourceCount).map { "res-\(String($0 * 7_919 % 100_003, radix: 36))" }
        let order = names.shuffled(using: &random)
        for batch in stride(from: 0, to: order.count, by: 500) {
            let requests: [JSONValue] = order[batch..<min(batch + 500, order.count)].map {
                ["op": "create_resource", "resource": .string($0), "tz": "UTC"]
            }
            for reply in try await client.pipeline(requests) { #expect(reply.ok, "\(reply)") }
        }
        return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    @Test func listResourcesPagesByCursorAndCostsThePageNotTheServer() async throws {
        try await Self.withServer { server in
            try await SlotConnection.withConnection(port: server.port) { client in
                let names = try await Self.createResources(client)
                // Every resource once, in byte order, following `next`.
                var listed: [String] = []
                var after: JSONValue? = nil
                for _ in 0..<10 {
                    var request: JSONValue = ["op": "list_resources", "limit": 1_000]
                    if let after, case .object(var fields) = request {
                        fields["after"] = after
                        request = .object(fields)
                    }
                    let page = try await client.call(request)
                    listed += (page["resources"]?.array ?? []).compactMap { $0["id"]?.string }
                    after = page["next"]
                    #expect((page["truncated"] == true) == (after != nil), "next is given exactly when truncated")
                    if after == nil { break }
                    #expect(after?.string == listed.last)
                }
                #expect(listed == names)

                // The same number of one-item pages and of pings: with a sort per call the pages cost about 5,000
                // comparisons each (several milliseconds); from the index they cost about what a ping does.
                var random = SplitMix64(seed: 5)
                let pages: [JSONValue] = (0..<1_000).map { _ in
                    ["op": "list_resources", "limit": 1, "after": .string(names.randomElement(using: &random) ?? "a")]
                }
                let pings: [JSONValue] = (0..<1_000).map { _ in ["op": "ping"] }
                let start = try #require(server.cost)
                for batch in stride(from: 0, to: pings.count, by: 100) {
                    _ = try await client.pipeline(Array(pings[batch..<(batch + 100)]))
                }
                let afterPings = try #require(server.cost)
                let (_, probe) = try await PingProbe.whilePinging(port: server.port) {
                    try await SlotConnection.withConnection(port: server.port) { pager in
                        for batch in stride(from: 0, to: pages.count, by: 100) {
                            for reply in try await pager.pipeline(Array(pages[batch..<(batch + 100)])) {
                                #expect(reply["resources"]?.array?.count ?? 0 <= 1, "\(reply)")
                            }
                        }
                    }
                }
                let afterPages = try #require(server.cost, "the server is still running")
                let pingSeconds = afterPings.cpuSeconds - start.cpuSeconds
                let pageSeconds = afterPages.cpuSeconds - afterPings.cpuSeconds
                // Generous: the probe's own pings are in the second measure, and CPU time is read in 10 ms ticks.
                #expect(pageSeconds < 4 * pingSeconds + 0.3, "pages \(pageSeconds) s, pings \(pingSeconds) s")
                await QueryCostTests.expectServed(probe)
            }
        }
    }

    /// A full waitlist of month-long entries on a capacity-2 resource that one long booking half fills, each entry
    /// blocked only at its last minute, then holds confirmed on the same resource: a confirm frees nothing, so
    /// it must not place every waiting entry again (1,000 × 43,000 granules).
    @Test func confirmsBesideAFullWaitlistOfLongEntriesStayCheap() async throws {
        try await Self.withServer { server in
            try await SlotConnection.withConnection(port: server.port) { client in
                #expect(
                    try await client.call([
                        "op": "create_resource", "resource": "hall", "tz": "UTC", "slot_minutes": 1,
                        "capacity": 2, "horizon_days": 400,
                    ]).ok)
                let half = try await client.call([
                    "op": "book", "resource": "hall", "start": Self.at(days: 10, minutes: -1_000),
                    "end": Self.at(days: 40, minutes: 1), "customer": "a",
                ])
                #expect(half.ok, "\(half)")
                let blocker = try await client.call([
                    "op": "book", "resource": "hall", "start": Self.at(days: 40), "end": Self.at(days: 40, minutes: 1),
                    "customer": "b",
                ])
                #expect(blocker.ok, "\(blocker)")
                let joins: [JSONValue] = (0..<Int64(DomainLimits.standard.waitingEntriesPerResourceMax)).map { entry in
                    [
                        "op": "waitlist_join", "resource": "hall", "start": Self.at(days: 10, minutes: -entry),
                        "end": Self.at(days: 40, minutes: 1), "customer": .string("w\(entry)"),
                    ]
                }
                for batch in stride(from: 0, to: joins.count, by: 100) {
                    for reply in try await client.pipeline(Array(joins[batch..<(batch + 100)])) {
                        #expect(reply.ok, "\(reply)")
                    }
                }
            }
            let before = try #require(server.cost)
            let port = server.port
            let (_, probe) = try await PingProbe.whilePinging(port: port) {
                try await SlotConnection.withConnection(port: port) { client in
                    for round: Int64 in 0..<100 {
                        let held = try await client.call([
                            "op": "hold", "resource": "hall", "start": Self.at(days: 50, minutes: 2 * round),
                            "end": Self.at(days: 50, minutes: 2 * round + 1), "customer": "c",
                        ])
                        let confirmed = try await client.call([
                            "op": "confirm", "booking": held["booking"]?["id"] ?? .null,
                        ])
                        #expect(confirmed.ok, "\(confirmed)")
                    }
                }
            }
            let after = try #require(server.cost, "the server is still running")
            // Generous: 200 journal commits; placing every entry at each confirm would be about 4·10⁹ counter reads.
            let cpuSeconds = after.cpuSeconds - before.cpuSeconds
            #expect(cpuSeconds < 3, "100 holds and confirms cost \(cpuSeconds) s of CPU")
            await Self.expectServed(probe)
        }
    }
}
