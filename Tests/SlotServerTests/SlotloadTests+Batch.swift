import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

@testable import slotload

/// `slotload --batch N` against a real server: its traffic travels as non-atomic `batch` lines, each result is
/// credited to its own op, and the verdict and the report come out as for one request a line.
extension SlotloadTests {
    @Test func uniformInBatchesOfTenPassesAndSaysSo() async throws {
        let reports = try ReportFolder()
        defer { reports.remove() }
        let (jsonPath, htmlPath) = (reports.jsonPath, reports.htmlPath)
        try await TestServer.run(clock: SystemClock()) { server in
            let run = try await ToolProcess.run(
                "slotload",
                [
                    "--port", String(server.port), "--batch", "10", "-c", "4", "-P", "2", "-n", "2000",
                    "--resources", "20", "--json", jsonPath, "--html", htmlPath,
                ], timeoutSeconds: 60)
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            let report = try JSONValue.parse(String(contentsOfFile: jsonPath, encoding: .utf8))
            #expect(report["verdict"] == "pass")
            #expect(report["batch"] == 10)
            #expect(report["settings"]?["batch"] == "10")
            // Requests are counted one by one, not by line: every one of the 2,000 is a booking of a free slot.
            #expect(report["requests"] == 2000)
            #expect(report["outcomes"]?["ok"] == 2000, "\(report["outcomes"] ?? .null)")
            #expect(report["latency_ms"]?["book"]?["count"] == 2000)
            #expect(report["checked_bookings"] == 2000)
            #expect((report["journal"]?["entries"]?.int ?? 0) >= 2000, "\(report["journal"] ?? .null)")
            #expect(run.stdout.contains("pipeline 2, batch 10,"), "\(run.stdout)")
            let html = try String(contentsOfFile: htmlPath, encoding: .utf8)
            #expect(html.contains("(batch 10: requests per line)") && html.contains("verdict: pass"))
        }
    }

    /// Every scenario in batches of 7, which divides no connection's share: the last line of each is shorter.
    @Test(arguments: ["uniform", "hot", "flash-sale", "mixed", "availability"])
    func everyScenarioRunsInBatches(_ scenario: String) async throws {
        let folder = TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let jsonPath = folder.appendingPathComponent("r.json").path
        let shape =
            scenario == "flash-sale"
            ? ["-c", "12", "--capacity", "5", "-n", "120"] : ["-c", "4", "-P", "2", "-n", "600", "--resources", "10"]
        try await TestServer.run(clock: SystemClock()) { server in
            let run = try await ToolProcess.run(
                "slotload",
                ["--port", String(server.port), "--scenario", scenario, "--batch", "7", "--json", jsonPath] + shape,
                timeoutSeconds: 60)
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            let report = try JSONValue.parse(String(contentsOfFile: jsonPath, encoding: .utf8))
            #expect(report["verdict"] == "pass" && report["batch"] == 7)
            let outcomes = report["outcomes"]
            #expect((outcomes?["ok"]?.int ?? 0) > 0, "\(outcomes ?? .null)")
            for code in Recorder.errorCodes.union(["transport_error"]) {
                #expect(outcomes?[code] == nil, "\(code): \(outcomes ?? .null)")
            }
            if scenario == "flash-sale" {
                // Ten rounds of one slot each, every connection in each: five winners a round.
                #expect(outcomes?["ok"] == 50 && outcomes?["slot_unavailable"] == 70, "\(outcomes ?? .null)")
            }
            if scenario == "mixed" {
                #expect((report["checked_groups"]?.int ?? 0) > 0, "\(run.stdout)")
                #expect(report["latency_ms"]?["confirm_group"]?["count"] != nil, "\(run.stdout)")
            }
        }
    }
}

extension SlotloadTests {
    /// The server refuses a batch longer than its `batch_operations_max` whole, so slotload refuses to start one.
    @Test(arguments: ["0", "101"]) func aBatchSizeTheServerWouldRefuseStopsSlotloadAtOnce(_ size: String) async throws {
        let run = try await ToolProcess.run("slotload", ["--port", "1", "--batch", size], timeoutSeconds: 30)
        #expect(run.status != 0)
        #expect(run.stderr.contains("--batch must be between 1 and 100"), "\(run.stderr)")
    }
}
