import Foundation
import SlotClient
import SlotDomain
import SlotServer
import SlotTesting
import Testing

/// Blocks and date overrides a client adds one by one are bounded, because every placement check reads the
/// blocks: a resource holds at most `blocksPerResourceMax` blocks and
/// `dateOverridesPerResourceMax` dated overrides (`too_many_rules` past them), and a day at most
/// `hoursIntervalsPerDayMax` opening intervals (`invalid_request` naming the field).
@Suite(.serialized) struct RuleFloodTests {
    static let limited = TestServer.configuration {
        $0.domainLimits.blocksPerResourceMax = 3
        $0.domainLimits.dateOverridesPerResourceMax = 2
        $0.domainLimits.hoursIntervalsPerDayMax = 2
    }

    static func at(days: Int64, minutes: Int64 = 0) -> JSONValue { QueryCostTests.at(days: days, minutes: minutes) }

    /// The in-process servers' clock: `at(days:)` lies ahead of it, as it lies ahead of the real one.
    static var clock: ManualClock { ManualClock(Instant(secondsSinceEpoch: QueryCostTests.origin)) }

    static func addBlock(_ index: Int64) -> JSONValue {
        [
            "op": "add_block", "resource": "r", "start": at(days: 1, minutes: index * 60),
            "end": at(days: 1, minutes: index * 60 + 30), "label": "flood",
        ]
    }

    static func expectError(_ reply: JSONValue, _ code: String, _ details: [String: JSONValue] = [:]) {
        #expect(reply["ok"] == false, "\(reply)")
        #expect(reply["error"]?["code"]?.string == code, "\(reply)")
        for (name, value) in details { #expect(reply["error"]?[name] == value, "\(name) in \(reply)") }
    }

    @Test func eachLimitIsRefusedWithItsCodeAndFreedByRemoving() async throws {
        try await TestServer.run(clock: Self.clock, configuration: Self.limited) { server in
            try await SlotConnection.withConnection(port: server.port) { (client: SlotConnection) async throws in
                #expect(try await client.call(["op": "create_resource", "resource": "r", "tz": "UTC"]).ok)
                for index: Int64 in 0..<3 { #expect(try await client.call(Self.addBlock(index)).ok) }
                let full = try await client.call(Self.addBlock(3))
                Self.expectError(full, "too_many_rules", ["limit": "3", "rule": "blocks"])
                #expect(try await client.call(["op": "remove_block", "resource": "r", "block": 2]).ok)
                let added = try await client.call(Self.addBlock(3))
                #expect(added["block"]?["id"] == 4, "\(added)")

                func override(_ day: Int, _ extra: [String: JSONValue] = ["closed": true]) -> JSONValue {
                    var request: [String: JSONValue] = [
                        "op": "set_override", "resource": "r", "date": .string("2030-01-0\(day)"),
                    ]
                    request.merge(extra) { $1 }
                    return .object(request)
                }
                #expect(try await client.call(override(1)).ok)
                #expect(try await client.call(override(2)).ok)
                Self.expectError(
                    try await client.call(override(3)), "too_many_rules", ["limit": "2", "rule": "overrides"])
                #expect(try await client.call(override(2, ["hours": [["09:00", "10:00"]]])).ok, "replaced in place")
                #expect(try await client.call(["op": "clear_override", "resource": "r", "date": "2030-01-01"]).ok)
                #expect(try await client.call(override(3)).ok)

                let threeIntervals: JSONValue = [["08:00", "09:00"], ["10:00", "11:00"], ["12:00", "13:00"]]
                Self.expectError(
                    try await client.call(override(4, ["hours": threeIntervals])), "invalid_request",
                    ["field": "hours"])
                Self.expectError(
                    try await client.call([
                        "op": "set_weekly_hours", "resource": "r", "weekly_hours": ["tue": threeIntervals],
                    ]), "invalid_request", ["field": "weekly_hours.tue"])
                Self.expectError(
                    try await client.call([
                        "op": "create_resource", "resource": "s", "tz": "UTC", "weekly_hours": ["mon": threeIntervals],
                    ]), "invalid_request", ["field": "weekly_hours.mon"])
                let rules = try await client.call(["op": "get_rules", "resource": "r"])["rules"]
                #expect(rules?["blocks"]?.array?.count == 3)
                #expect(rules?["overrides"]?.array?.count == 2)
            }
        }
    }

    /// Rules added under higher limits (here: before a restart with lower ones) still load from the journal and
    /// from a snapshot, and still apply; only adding more is refused.
    @Test func rulesOverALoweredLimitStillLoad() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await TestServer.run(dataDirectory: directory, clock: Self.clock) { server in
            try await SlotConnection.withConnection(port: server.port) { (client: SlotConnection) async throws in
                #expect(try await client.call(["op": "create_resource", "resource": "r", "tz": "UTC"]).ok)
                for index: Int64 in 0..<5 { #expect(try await client.call(Self.addBlock(index)).ok) }
            }
        }
        for takeSnapshot in [true, false] {
            try await TestServer.run(dataDirectory: directory, clock: Self.clock, configuration: Self.limited) {
                server in
                try await SlotConnection.withConnection(port: server.port) { (client: SlotConnection) async throws in
                    let rules = try await client.call(["op": "get_rules", "resource": "r"])["rules"]
                    #expect(rules?["blocks"]?.array?.count == 5)
                    let booked = try await client.call([
                        "op": "book", "resource": "r", "start": Self.at(days: 1, minutes: 240),
                        "end": Self.at(days: 1, minutes: 270), "customer": "c",
                    ])
                    Self.expectError(booked, "blocked", ["block": "5"])
                    Self.expectError(try await client.call(Self.addBlock(9)), "too_many_rules", ["limit": "3"])
                    if takeSnapshot { #expect(try await client.call(["op": "snapshot"]).ok) }
                }
            }
        }
    }

    /// The flood itself, against the real binary with the default limits: blocks added as fast as a pipelined
    /// client can, until and past the limit. The server stays cheap and keeps serving, and holds stay cheap with
    /// a full resource.
    @Test func aBlockFloodStopsAtTheLimitAndCostsLittle() async throws {
        let limit = DomainLimits.standard.blocksPerResourceMax
        try await QueryCostTests.withServer { server in
            try await SlotConnection.withConnection(port: server.port) { (client: SlotConnection) async throws in
                #expect(try await client.call(["op": "create_resource", "resource": "r", "tz": "UTC"]).ok)
            }
            let before = try #require(server.cost)
            let port = server.port
            let (codes, probe) = try await PingProbe.whilePinging(port: port) {
                try await SlotConnection.withConnection(port: port) { client in
                    var codes: [String: Int] = [:]
                    for batch: Int64 in 0..<12 {
                        // Blocks in the past half of each hour, far from the holds below.
                        let requests = (0..<Int64(100)).map { Self.addBlock(100 + batch * 100 + $0) }
                        for reply in try await client.pipeline(requests) {
                            codes[reply["error"]?["code"]?.string ?? "ok", default: 0] += 1
                        }
                    }
                    return codes
                }
            }
            #expect(codes == ["ok": limit, "too_many_rules": 1_200 - limit])
            await QueryCostTests.expectServed(probe)
            let after = try #require(server.cost, "the server is still running")
            // 1,200 small journaled requests take well under a second of CPU in a debug build; generous for CI.
            #expect(after.cpuSeconds - before.cpuSeconds < 10, "\(after.cpuSeconds - before.cpuSeconds) s of CPU")
            // A block costs about 100 bytes; 16 MiB of slack covers the journal's cache and allocator noise.
            #expect(after.residentBytes - before.residentBytes < 16 << 20, "\(before) → \(after)")

            // Holds on the full resource, each checked against every block.
            try await SlotConnection.withConnection(port: port) { client in
                let holds = (0..<Int64(200)).map { index -> JSONValue in
                    [
                        "op": "hold", "resource": "r", "start": Self.at(days: 1, minutes: index * 60 + 30),
                        "end": Self.at(days: 1, minutes: index * 60 + 60), "customer": "c",
                    ]
                }
                let clock = ContinuousClock()
                let started = clock.now
                let replies = try await client.pipeline(holds)
                let elapsed = clock.now - started
                #expect(replies.allSatisfy { $0.ok }, "\(replies.first { !$0.ok } ?? .null)")
                // Generous: 200 holds are 200 journal commits; reading 1,000 blocks each takes microseconds.
                #expect(elapsed < .seconds(10), "\(elapsed)")
            }
        }
    }
}
