import Foundation
import NIOHTTP1
import SlotClient
import SlotDomain
import SlotTesting
import Testing

@testable import SlotServer

/// `/ready`'s reasons not to be ready. Above all `slotd` while it replays a long journal, as a separate process: the
/// HTTP port answers from the start (`/health` 200, `/ready` and `/metrics` 503 `replaying`), the `listening` line
/// comes once the TCP port listens, after recovery, and SIGTERM during the replay ends the process at once and
/// cleanly.
@Suite struct ReadinessTests {
    /// 150,000 bookings: a debug `slotd` replays them in about 4 s on this project's machines, long enough
    /// for the probes below, each a Python process of about 0.1 s, to find the replay under way.
    static let resources = 300
    static let bookingsPerResource = 500

    @Test func readyIs503WhileTheJournalReplaysAnd200AfterAndSIGTERMStopsTheReplay() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await LongJournal.write(
            to: directory, resources: Self.resources, bookingsPerResource: Self.bookingsPerResource,
            at: TestServer.epoch)

        let interrupted = try SlotdStart(
            dataDirectory: directory, logLevel: "notice", stderr: directory.appendingPathComponent("first.log"))
        let firstHTTPPort = try #require(try await interrupted.httpPortFromLog(withinSeconds: 20))
        #expect(interrupted.listeningLine() == nil)
        try await Self.expectReplaying(httpPort: firstHTTPPort)
        let stopped = ContinuousClock.now
        interrupted.process.terminate()
        #expect(try await interrupted.process.exitStatus(withinSeconds: 10) == 0)
        let stopSeconds = (ContinuousClock.now - stopped) / .seconds(1)
        #expect(stopSeconds < 3, "SIGTERM during replay took \(stopSeconds) s to end slotd")
        let firstLog = try String(contentsOf: try #require(interrupted.stderrURL), encoding: .utf8)
        #expect(firstLog.contains("shutting down before recovery finished"), "\(firstLog.suffix(1_000))")
        #expect(!firstLog.contains("state recovered"), "the replay ran to its end: \(firstLog.suffix(1_000))")
        #expect(interrupted.listeningLine() == nil)

        // Again, to its end: the interrupted start left the data folder whole and unlocked.
        let start = try SlotdStart(
            dataDirectory: directory, logLevel: "notice", stderr: directory.appendingPathComponent("second.log"))
        let httpPort = try #require(try await start.httpPortFromLog(withinSeconds: 20))
        #expect(start.listeningLine() == nil)
        try await Self.expectReplaying(httpPort: httpPort)
        let health = try await HTTPProbe.get(port: httpPort, "/health")
        #expect(health.status == 200)
        let metrics = try await HTTPProbe.get(port: httpPort, "/metrics")
        #expect(metrics.status == 503)
        #expect(try metrics.json()["reason"] == "replaying")

        let server = try await SlotdProcess(waitingFor: start, withinSeconds: 120)
        #expect(server.httpPort == httpPort)
        let ready = try await HTTPProbe.get(port: httpPort, "/ready")
        #expect(ready.status == 200, "\(ready.body)")
        #expect(try await HTTPProbe.get(port: httpPort, "/metrics").status == 200)
        let stats = try await server.connect { try await $0.call(["op": "stats"]) }["stats"]
        #expect(stats?["resources"]?.int == Self.resources)
        #expect(stats?["bookings"]?.int == Self.resources * Self.bookingsPerResource)
        let log = try String(contentsOf: try #require(start.stderrURL), encoding: .utf8)
        let httpListening = try #require(log.range(of: "listening for HTTP"))
        let recovered = try #require(log.range(of: "state recovered"))
        #expect(httpListening.lowerBound < recovered.lowerBound)
        #expect(try await server.terminate() == 0)
    }

    static func expectReplaying(httpPort: Int) async throws {
        let ready = try await HTTPProbe.get(port: httpPort, "/ready")
        #expect(ready.status == 503, "\(ready.body)")
        #expect(try ready.json()["status"] == "not_ready")
        #expect(try ready.json()["reason"] == "replaying")
    }

    /// Before the runtime exists the side port has only `/health`; every other path gives `/ready`'s reason, which
    /// turns to `shutting_down` once a graceful shutdown began during the replay.
    @Test func beforeRecoveryOnlyHealthAnswers200() throws {
        let get = { (uri: String) in HTTPRequestHead(version: .http1_1, method: .GET, uri: uri) }
        #expect(HTTPRoutes.beforeRecovery(to: get("/health"), readiness: .replaying).status == .ok)
        let ready = HTTPRoutes.beforeRecovery(to: get("/ready"), readiness: .replaying)
        #expect(ready.status == .serviceUnavailable)
        #expect(try JSONValue.parse(bytes: ready.body)["reason"] == "replaying")
        let metrics = HTTPRoutes.beforeRecovery(to: get("/metrics?x=1"), readiness: .shuttingDown)
        #expect(metrics.status == .serviceUnavailable)
        #expect(try JSONValue.parse(bytes: metrics.body)["reason"] == "shutting_down")
        let post = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/ready")
        #expect(HTTPRoutes.beforeRecovery(to: post, readiness: .replaying).status == .methodNotAllowed)
    }

    /// Ready, then the journal writer stops (as after a failed write, which also stops the process): 503
    /// `journal_not_writing`, while `/health` stays 200.
    @Test func aJournalWriterThatStoppedMakesTheServerNotReady() async throws {
        try await TestServer.run { server in
            let httpPort = try #require(server.httpPort)
            #expect(try await HTTPProbe.get(port: httpPort, "/ready").status == 200)
            server.runtime.journal.stop()
            let ready = try await HTTPProbe.get(port: httpPort, "/ready")
            #expect(ready.status == 503)
            #expect(try ready.json()["reason"] == "journal_not_writing")
            #expect(try await HTTPProbe.get(port: httpPort, "/health").status == 200)
        }
    }

    /// `slotd --http-port off` starts through the same two stages with only the recovering one: it listens, serves
    /// and stops as with the HTTP port.
    @Test func withTheHTTPPortOffSlotdStartsServesAndStops() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await SlotdProcess(dataDirectory: directory, extraArguments: ["--http-port", "off"])
        #expect(server.httpPort == nil)
        #expect(try await server.connect { try await $0.call(["op": "ping"]) }.ok)
        #expect(try await server.terminate() == 0)
    }
}
