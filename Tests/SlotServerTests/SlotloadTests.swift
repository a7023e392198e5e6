import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// The real `slotload` binary against a real server (127.0.0.1, port 0, the system clock: slotload books from
/// tomorrow on): its report, its flash-sale count, and a verdict that fails when bookings are tampered with.
@Suite struct SlotloadTests {
    /// Midnight UTC, `days` after tomorrow, as RFC 3339.
    static func tomorrow(_ days: Int) -> String {
        let seconds = (Int(Date().timeIntervalSince1970) / 86_400 + 1 + days) * 86_400
        return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(seconds)))
    }

    @Test func mixedRunReportsAndPasses() async throws {
        let reports = try ReportFolder()
        defer { reports.remove() }
        let (jsonPath, htmlPath) = (reports.jsonPath, reports.htmlPath)
        try await TestServer.run(clock: SystemClock()) { server in
            let run = try await ToolProcess.run(
                "slotload",
                [
                    "--port", String(server.port), "--scenario", "mixed", "-c", "4", "-P", "4", "-n", "2000",
                    "--resources", "20", "--seed", "7", "--json", jsonPath, "--html", htmlPath,
                ], timeoutSeconds: 60)
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            let report = try JSONValue.parse(String(contentsOfFile: jsonPath, encoding: .utf8))
            #expect(report["verdict"] == "pass")
            #expect(report["interrupted_by"] == JSONValue.null, "no signal ended the traffic early")
            #expect(!run.stdout.contains("traffic ended early"))
            #expect(report["scenario"] == "mixed")
            #expect(report["connections"] == 4)
            #expect(report["pipeline"] == 4)
            #expect(report["requests"] == 2000)
            #expect((report["requests_per_second"]?.int ?? 0) > 0 || report["requests_per_second"] != nil)
            #expect(report["bookings_per_second"] != nil && report["duration_seconds"] != nil)
            guard case .number(let connectMilliseconds)? = report["connect_ms"] else {
                Issue.record("no connect_ms in the report")
                return
            }
            #expect(connectMilliseconds >= 0, "the connections open before the clock starts")
            for op in ["hold", "confirm", "book", "availability", "group_hold", "confirm_group"] {
                let latency = report["latency_ms"]?[op]
                #expect(latency?["p50"] != nil && latency?["p999"] != nil && latency?["max"] != nil, "\(op)")
            }
            #expect((report["outcomes"]?["ok"]?.int ?? 0) > 1_000)
            #expect((report["checked_bookings"]?.int ?? 0) > 0)
            // Some holds are of two resources at once: groups, each read back with get_group by the verdict.
            #expect((report["checked_groups"]?.int ?? 0) > 0, "\(run.stdout)")
            #expect(report["batch"] == 1)
            // The server's journal during the run, from its stats: every acknowledged change, in shared commits.
            let commits = report["journal"]?["commits"]?.int ?? 0
            let entries = report["journal"]?["entries"]?.int ?? 0
            #expect(commits > 0 && entries >= commits, "\(report["journal"] ?? .null)")
            #expect(
                entries >= (report["outcomes"]?["ok"]?.int ?? 0)
                    - (report["latency_ms"]?["availability"]?["count"]?.int ?? 0))
            #expect(run.stdout.contains("journal \(commits) commits for \(entries) entries"))
            let html = try String(contentsOfFile: htmlPath, encoding: .utf8)
            #expect(html.contains("<svg") && html.contains("verdict: pass") && html.contains("mixed"))
            #expect(html.contains("commits for \(entries) entries"), "the journal line")
            #expect(run.stdout.contains("verdict pass"))
            #expect(run.stdout.contains("groups checked"), "\(run.stdout)")
        }
    }

    /// Buffers make bookings refuse their neighbours; the verdict must judge them by the server's rule (a buffer
    /// may overlap another buffer, never a booking).
    /// The report's timeline counts refusals apart from errors, as the progress line does, and accounts for every
    /// request the summary counts, those answered after the last whole second of the run among them.
    @Test func crowdedResourcesWithBuffersPass() async throws {
        let folder = TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let jsonPath = folder.appendingPathComponent("r.json").path
        try await TestServer.run(clock: SystemClock()) { server in
            let run = try await ToolProcess.run(
                "slotload",
                [
                    // One resource, one day: 96 slots, of which buffers leave about a third bookable, so a few
                    // dozen requests meet refusals however slowly a loaded machine runs them.
                    "--port", String(server.port), "-c", "4", "-P", "8", "--duration-seconds", "3", "--resources",
                    "1", "--days", "1", "--buffer-before-minutes", "15", "--buffer-after-minutes", "30", "--json",
                    jsonPath,
                ], timeoutSeconds: 60)
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            #expect(run.stdout.contains("slot_unavailable="), "crowded enough to be refused: \(run.stdout)")
            let report = try JSONValue.parse(String(contentsOfFile: jsonPath, encoding: .utf8))
            let seconds = try #require(report["timeline"]?.array)
            guard case .object(let outcomes)? = report["outcomes"] else {
                Issue.record("no outcomes in the report")
                return
            }
            let refusals = outcomes.filter { $0.key != "ok" }.values.reduce(0) { $0 + ($1.int ?? 0) }
            #expect(refusals > 0 && outcomes["slot_unavailable"] != nil, "\(outcomes)")
            // However the run's seconds fell, the timeline has every refusal and every request of the summary.
            #expect(seconds.reduce(0) { $0 + ($1["refused"]?.int ?? 0) } == refusals, "\(seconds)")
            #expect(seconds.reduce(0) { $0 + ($1["requests"]?.int ?? 0) } == report["requests"]?.int, "\(seconds)")
            #expect(seconds.compactMap { $0["second"]?.int } == Array(1...max(1, seconds.count)), "\(seconds)")
            #expect(seconds.allSatisfy { $0["errors"] == 0 }, "refusals are not errors: \(seconds)")
            // Each second's slowest reply bounds its p99 from above.
            var slowest: [Double] = []
            for second in seconds {
                guard case .number(let p99)? = second["p99_ms"], case .number(let max)? = second["max_ms"] else {
                    Issue.record("a second without p99_ms and max_ms: \(second)")
                    continue
                }
                #expect(max >= p99, "\(second)")
                slowest.append(max)
            }
            #expect(slowest.contains { $0 > 0 }, "\(seconds)")
        }
    }

    @Test func flashSaleHasExactlyCapacityWinnersEachRound() async throws {
        try await TestServer.run(clock: SystemClock()) { server in
            let run = try await ToolProcess.run(
                "slotload",
                [
                    "--port", String(server.port), "--scenario", "flash-sale", "-c", "60", "--capacity", "10", "-n",
                    "120",
                ],
                timeoutSeconds: 60)
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            #expect(run.stdout.contains("ok=20 "), "\(run.stdout)")
            #expect(run.stdout.contains("slot_unavailable=100"), "\(run.stdout)")
        }
    }

    /// The server dies mid-run: every connection ends with a transport error, the run ends at once instead of
    /// waiting out its duration, and slotload exits with an error rather than a verdict.
    @Test func aServerLostMidRunEndsTheRunWithAnError() async throws {
        let folder = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await SlotdProcess(dataDirectory: folder)
        async let load = ToolProcess.run(
            "slotload",
            ["--port", String(server.port), "--duration-seconds", "30", "-c", "8", "-P", "4", "--resources", "8"],
            timeoutSeconds: 60)
        // Kill only once the run is under way (bookings appear only after every connection is open): a fixed
        // delay would race slotload's own start-up on a busy machine.
        var booked = 0
        for _ in 0..<1_000 where booked == 0 {
            try await Task.sleep(for: .milliseconds(20))
            booked = try await SlotConnection.withConnection(port: server.port) { client in
                try await client.call(["op": "stats"])["stats"]?["bookings"]?.int ?? 0
            }
        }
        #expect(booked > 0, "the run never started")
        server.kill9()
        let killed = ContinuousClock.now
        let run = try await load
        #expect(ContinuousClock.now - killed < .seconds(20), "the run waited out its duration")
        #expect(run.status != 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("8 of 8 connections failed"), "\(run.stderr)")
    }

    @Test func tamperingWithItsBookingsFailsTheVerdict() async throws {
        try await TestServer.run(clock: SystemClock()) { server in
            // slotload runs far longer than the test needs; once another client has canceled one of its bookings
            // behind its back, the test ends its traffic with SIGINT, so the cancel comes before the final check
            // however slowly a loaded machine lets slotload make its first bookings.
            let load = try ToolProcess.start(
                "slotload",
                ["--port", String(server.port), "--duration-seconds", "3600", "-c", "2", "--resources", "3"])
            var canceled: String?
            let lookUntil = ContinuousClock.now + .seconds(120)
            try await server.connect { client in
                while canceled == nil, load.isRunning, ContinuousClock.now < lookUntil {
                    try await Task.sleep(for: .milliseconds(50))
                    let resources = try await client.call(["op": "list_resources"])["resources"]?.array ?? []
                    guard let name = resources.first?["id"]?.string else { continue }
                    let listed = try await client.call([
                        "op": "list_bookings", "resource": .string(name),
                        "from": .string(Self.tomorrow(0)), "to": .string(Self.tomorrow(30)),
                    ])
                    guard let id = listed["bookings"]?[0]?["id"]?.string else { continue }
                    if try await client.call(Requests.move("cancel", id)).ok { canceled = id }
                }
            }
            load.signal(SIGINT)
            let run = try await load.finish(timeoutSeconds: 300)
            #expect(canceled != nil, "\(run.stdout)\(run.stderr)")
            #expect(run.status == 1, "\(run.stdout)")
            #expect(run.stdout.contains("verdict fail"))
            #expect(run.stdout.contains("\(canceled ?? "?") was acknowledged but is missing"), "\(run.stdout)")
        }
    }
}

/// A temporary folder for one slotload run's JSON and HTML reports.
struct ReportFolder {
    let folder = TestServer.temporaryDirectory()
    var jsonPath: String { folder.appendingPathComponent("r.json").path }
    var htmlPath: String { folder.appendingPathComponent("r.html").path }

    init() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }
}
