import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// Stopping a long run as a user would, with Ctrl-C (SIGINT) or SIGTERM: the traffic ends, the check still runs.
extension SlotloadTests {
    /// The signal ends the traffic as a deadline would: the rounds in flight are read, the check runs on everything
    /// acknowledged and passes, the exit status is the verdict's, and both reports name the signal.
    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalEndsTheTrafficAndTheCheckStillRuns(signal: Int32) async throws {
        let reports = try ReportFolder()
        defer { reports.remove() }
        let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
        try await TestServer.run(clock: SystemClock()) { server in
            let load = try ToolProcess.start(
                "slotload",
                [
                    "--port", String(server.port), "--scenario", "mixed", "--duration-seconds", "3600", "-c", "4",
                    "-P", "4", "--resources", "10", "--json", reports.jsonPath,
                ])
            // Only a signal during the traffic ends it (before, slotload quits at once): the progress lines on
            // stderr start with the traffic's first second.
            let lookUntil = ContinuousClock.now + .seconds(120)
            while load.isRunning, !load.stderrSoFar().contains("elapsed 1s "), ContinuousClock.now < lookUntil {
                try await Task.sleep(for: .milliseconds(50))
            }
            load.signal(signal)
            let run = try await load.finish(timeoutSeconds: 300)
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            #expect(run.stderr.contains("slotload: \(name): ending the traffic"), "\(run.stderr)")
            #expect(run.stdout.contains("traffic ended early by \(name)"), "\(run.stdout)")
            #expect(run.stdout.contains("verdict pass"), "\(run.stdout)")
            let report = try JSONValue.parse(String(contentsOfFile: reports.jsonPath, encoding: .utf8))
            #expect(report["interrupted_by"] == .string(name))
            #expect(report["verdict"] == "pass")
            #expect((report["checked_bookings"]?.int ?? 0) > 0, "the check read the run's bookings back")
            guard case .number(let seconds)? = report["duration_seconds"] else {
                Issue.record("no duration_seconds in the report")
                return
            }
            #expect(seconds >= 1 && seconds < 3_600, "the traffic ran until the signal: \(seconds) s")
        }
    }
}
