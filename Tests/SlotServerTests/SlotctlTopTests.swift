import Foundation
import SlotClient
import SlotServer
import SlotTesting
import SlotWire
import Testing

/// `slotctl top` against a real server with traffic, and the progress output of long commands: JSON lines and
/// text rows when stdout is not a terminal (nothing drawn), a redrawn screen on a pseudo-terminal that Ctrl-C
/// leaves cleanly. The server's clock is the system's, so each second's sample has its own `at`.
@Suite struct SlotctlTopTests {
    typealias Run = ToolProcess.Run

    /// A server with pings going on all along, once the sampler has closed a second that counted some (so the
    /// newest sample, where `top` starts, has them).
    static func withTraffic<Result: Sendable>(_ body: (TestServer) async throws -> Result) async throws -> Result {
        try await TestServer.run(clock: SystemClock()) { server in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await server.connect { client in
                        while !Task.isCancelled { _ = try await client.call(["op": "ping"]) }
                    }
                }
                defer { group.cancelAll() }
                try await server.connect { observer in
                    let deadline = ContinuousClock.now + .seconds(10)
                    while ContinuousClock.now < deadline {
                        let newest = try await observer.call(["op": "monitor"])["samples"]?[0]
                        if (newest?["requests_by_op"]?["ping"]?.int ?? 0) > 0 { return }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    Issue.record("no second counted the pings within 10 s")
                }
                return try await body(server)
            }
        }
    }

    @Test func jsonPrintsEachNewSecondOnceAsTheServerWroteIt() async throws {
        try await Self.withTraffic { server in
            let run = try await ToolProcess.run(
                "slotctl", ["top", "--json", "--count", "2", "--port", "\(server.port)"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.isEmpty, "nothing but the samples: \(run.stderr)")
            let lines = run.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 2, "\(run.stdout)")
            let samples = try lines.map { line in try #require(LiveSample(json: try JSONValue.parse(line)), "\(line)") }
            for (line, sample) in zip(lines, samples) {
                var writer = JSONWriter()
                sample.write(to: &writer)
                #expect(String(decoding: writer.bytes, as: UTF8.self) == line)
                #expect((sample.requestsByOp["ping"] ?? 0) > 0, "the traffic is counted: \(line)")
            }
            #expect(samples.count == 2 && samples[0].at < samples[1].at, "each second once, in order")
        }
    }

    @Test func withoutATerminalItPrintsRowsUnderAHeaderAndNoEscapes() async throws {
        try await Self.withTraffic { server in
            let run = try await ToolProcess.run("slotctl", ["top", "--count", "2", "--port", "\(server.port)"])
            #expect(run.status == 0, "\(run.stderr)")
            let lines = run.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 3, "\(run.stdout)")
            #expect(lines.first?.hasPrefix("TIME ") == true && lines.first?.contains("P99") == true)
            #expect(lines.dropFirst().allSatisfy { $0.contains("ping ") }, "\(run.stdout)")
            #expect(!(run.stdout + run.stderr).contains("\u{1B}"))
        }
    }

    @Test func theTimeoutBoundsEachPollNotTheWholeRun() async throws {
        try await Self.withTraffic { server in
            // Six seconds' samples take five seconds or more: longer than the timeout, which each poll stays well
            // within even on a loaded machine.
            let run = try await ToolProcess.run(
                "slotctl", ["top", "--json", "--count", "6", "--timeout-seconds", "3", "--port", "\(server.port)"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.split(separator: "\n").count == 6, "\(run.stdout)")
        }
        let (silentDescriptor, silentPort) = try SlotctlTests.boundSocket(listening: true)
        defer { close(silentDescriptor) }
        let silent = try await ToolProcess.run(
            "slotctl", ["top", "--json", "--timeout-seconds", "1", "--port", "\(silentPort)"])
        #expect(silent.status == 2)
        #expect(silent.stderr == "Error: cannot talk to slotd at 127.0.0.1:\(silentPort): no reply within 1 s\n")
    }

    @Test func badCountsAndIntervalsAreUsageErrors() async throws {
        for arguments in [["--count", "0"], ["--interval-seconds", "0"], ["--interval-seconds", "61"]] {
            let run = try await ToolProcess.run("slotctl", ["top"] + arguments)
            #expect(run.status == 64, "\(arguments): \(run.stderr)")
        }
    }

    /// Runs slotctl on a pseudo-terminal, sends Ctrl-C once the screen shows a sample, and reports its exit
    /// status and everything it drew.
    static let onTerminal = """
        import json, os, pty, select, sys, time
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(sys.argv[1], sys.argv[1:])
        out, sent, deadline = b"", False, time.time() + 15
        while time.time() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    break
                if not data:
                    break
                out += data
            if not sent and b"REQ/S" in out:
                os.write(fd, b"\\x03")
                sent = True
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"status": os.waitstatus_to_exitcode(status), "sent": sent,
                          "output": out.decode("utf-8", "replace")}))
        """

    @Test func onATerminalTheScreenIsRedrawnAndCtrlCRestoresTheTerminal() async throws {
        try await Self.withTraffic { server in
            let slotctl = try PackageExecutable.url("slotctl").path
            let run = try await ToolProcess.runSystem(
                "python3", ["-c", Self.onTerminal, slotctl, "top", "--port", "\(server.port)"])
            #expect(run.status == 0, "\(run.stderr)")
            let report = try JSONValue.parse(run.stdout)
            let output = report["output"]?.string ?? ""
            #expect(report["sent"] == true, "the screen never showed a sample: \(output)")
            #expect(report["status"] == 0, "Ctrl-C ends top cleanly: \(output)")
            let alternateOn = try #require(output.range(of: "\u{1B}[?1049h"), "\(output)")
            let alternateOff = try #require(output.range(of: "\u{1B}[?1049l", options: .backwards), "\(output)")
            #expect(alternateOn.upperBound <= alternateOff.lowerBound)
            #expect(output.contains("\u{1B}[?25h"), "the cursor is shown again")
            #expect(output.contains("requests") && output.contains("connections") && output.contains("ping"))
        }
    }

    @Test func snapshotPrintsNoProgressWithoutATerminal() async throws {
        try await TestServer.run { server in
            let run = try await ToolProcess.run("slotctl", ["snapshot", "--port", "\(server.port)"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.isEmpty, "\(run.stderr)")
            #expect(!run.stdout.contains("\u{1B}") && !run.stdout.contains("\r"))
            #expect(run.field("snapshot written")?.hasSuffix(".slotsnap") == true, "\(run.stdout)")
        }
    }
}
