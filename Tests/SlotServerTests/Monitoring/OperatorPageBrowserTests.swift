import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// The operator page in a real browser: Debian's headless Chromium loads `/` from a running slotd, runs its script
/// (which reads `/api/overview` and `/api/day`) and prints the DOM it ended with; the test reads what the script
/// filled in. Skipped only where Chromium is missing outside CI (`CI` set: it must run).
@Suite struct OperatorPageBrowserTests {
    static let available = (try? ToolProcess.systemExecutable("chromium")) != nil
    static let required = ProcessInfo.processInfo.environment["CI"] != nil

    @Test(
        .enabled(
            if: available || required,
            "chromium is not installed (apt-get install chromium); CI installs it and runs this test"))
    func thePageShowsTheServerInABrowser() async throws {
        let clock = ManualClock(TestServer.epoch)
        try await TestServer.run(clock: clock) { server in
            let httpPort = try #require(server.httpPort)
            try await Self.makeBookings(server)
            clock.advance(seconds: 65)
            try await Self.waitForSamples(server)
            let dom = try await Self.render("http://127.0.0.1:\(httpPort)/")
            #expect(Self.text(of: "uptime", in: dom) == "1m 5s", "\(dom.prefix(2_000))")
            #expect(Self.text(of: "resources", in: dom) == "2")
            #expect(Self.text(of: "journal-sequence", in: dom) == "5")
            #expect(Self.text(of: "status", in: dom)?.hasPrefix("updated") == true)
            let points = Self.points(of: "chart-rate", in: dom)
            #expect(points >= 2, "\(Self.section("chart-rate", in: dom))")
            let busiest = Self.section("busiest-rows", in: dom)
            #expect(busiest.hasPrefix("<tr class=\"pick\"><td>room-paris</td>"), "\(busiest)")
            // The busiest resource's day, today in Paris: its booking at 10:00 and its hold at 14:00 local time.
            let rows = Self.section("day-rows", in: dom)
            #expect(rows.contains("<td>2027-01-04T10:00:00+01:00</td><td>2027-01-04T10:30:00+01:00</td><td>confirmed"))
            #expect(rows.contains("<td>2027-01-04T14:00:00+01:00</td><td>2027-01-04T14:30:00+01:00</td><td>hold"))
            let timeline = Self.section("day-timeline", in: dom)
            #expect(timeline.contains("10:00–10:30 ann"), "\(timeline)")
            #expect(timeline.contains(#"class="bar-pending_confirmation""#))
            #expect(Self.text(of: "day-error", in: dom) == "")
        }
    }

    @Test(
        .enabled(
            if: available || required,
            "chromium is not installed (apt-get install chromium); CI installs it and runs this test"))
    func aBrowserSignsInWithTheTokenAsItsPassword() async throws {
        try await AuthFixture.run { fixture in
            let httpPort = try #require(fixture.server.httpPort)
            let secret = try await fixture.token("night-shift", role: "operator")
            try await fixture.connect { client async throws in
                #expect(try await client.call(Requests.createResource("room", tz: "America/New_York")).ok)
                let booked = Requests.hold("room", "2027-01-05T15:00:00Z", "2027-01-05T16:00:00Z", op: "book")
                #expect(try await client.call(booked).ok)
            }
            let page = "http://ops:\(secret)@127.0.0.1:\(httpPort)/?resource=room&date=2027-01-05"
            let dom = try await Self.render(page)
            #expect(Self.text(of: "status", in: dom)?.hasPrefix("updated") == true, "\(dom.prefix(2_000))")
            #expect(Self.text(of: "day-title", in: dom)?.hasPrefix("room on 2027-01-05 in America/New_York") == true)
            #expect(Self.section("day-rows", in: dom).contains("<td>2027-01-05T10:00:00-05:00</td>"))
            let refused = try await Self.render("http://ops:wrong@127.0.0.1:\(httpPort)/")
            #expect(!refused.contains(#"id="chart-rate""#))
        }
    }

    /// Two resources in Paris: `room-paris` with a booking at 10:00 local and a hold at 14:00 today, `quiet` with
    /// one booking; five journal entries in all.
    static func makeBookings(_ server: TestServer) async throws {
        try await server.connect { client async throws in
            for resource in ["room-paris", "quiet"] {
                #expect(try await client.call(Requests.createResource(resource, tz: "Europe/Paris")).ok)
            }
            let bookings = [
                Requests.hold("room-paris", "2027-01-04T09:00:00Z", "2027-01-04T09:30:00Z", op: "book"),
                Requests.hold("room-paris", "2027-01-04T13:00:00Z", "2027-01-04T13:30:00Z", customer: "bob"),
                Requests.hold("quiet", "2027-01-06T09:00:00Z", "2027-01-06T09:30:00Z", op: "book"),
            ]
            for booking in bookings { #expect(try await client.call(booking).ok) }
        }
    }

    /// The sampler closes a second each (real) second: wait until two have, one of them with these requests.
    static func waitForSamples(_ server: TestServer) async throws {
        let metrics = try #require(server.runtime.metrics)
        for _ in 0..<100 {
            let samples = metrics.live.recent(seconds: LiveSamples.secondsKept)
            if samples.count >= 2, samples.contains(where: { $0.requests > 0 }) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("no sample with requests after 10 s")
    }

    /// The DOM after the page's script ran (`--virtual-time-budget` lets its fetches finish), in a profile folder
    /// of its own that is removed afterwards.
    static func render(_ url: String) async throws -> String {
        let profile = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: profile) }
        let run = try await ToolProcess.runSystem(
            "chromium",
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
                "--virtual-time-budget=5000", "--dump-dom", url,
            ], timeoutSeconds: 90)
        try #require(run.status == 0, "chromium: \(run.stderr.suffix(1_000))")
        return run.stdout
    }

    /// The text of the element with `id`, when it has no child elements.
    static func text(of id: String, in dom: String) -> String? {
        guard let opening = dom.range(of: #"id="\#(id)""#),
            let start = dom[opening.upperBound...].firstIndex(of: ">"),
            let end = dom[start...].firstIndex(of: "<")
        else { return nil }
        return String(dom[dom.index(after: start)..<end])
    }

    /// What the element with `id` holds, up to the next closing tag of its kind (tables and SVGs here nest none).
    static func section(_ id: String, in dom: String) -> String {
        guard let opening = dom.range(of: #"id="\#(id)""#),
            let start = dom[opening.upperBound...].firstIndex(of: ">")
        else { return "" }
        let tag = dom[..<opening.lowerBound].split(separator: "<").last?.split(separator: " ").first ?? ""
        let end = dom[start...].range(of: "</\(tag)>")?.lowerBound ?? dom.endIndex
        return String(dom[dom.index(after: start)..<end])
    }

    /// How many points the chart's first series has.
    static func points(of chart: String, in dom: String) -> Int {
        let svg = section(chart, in: dom)
        guard let points = svg.range(of: #"class="series-a" points=""#),
            let end = svg[points.upperBound...].firstIndex(of: "\"")
        else { return 0 }
        return svg[points.upperBound..<end].split(separator: " ").count
    }
}
