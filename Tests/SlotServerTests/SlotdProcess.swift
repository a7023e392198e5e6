import Foundation
import SlotClient
import Testing

/// A `slotd` started as a separate process, as an operator would run it.
/// @unchecked Sendable: every stored property is set in `init` and never reassigned; the crash task only sends
/// a signal and waits for exit, which `Process` allows from any thread.
final class SlotdProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    let stdoutURL: URL

    /// The `slotd` built next to this test bundle (or `SLOTD_BINARY`).
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["SLOTD_BINARY"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "slotd")
    }

    /// `logLevel` and `stderr`: the server's log lines go to `stderr` (a file), else nowhere.
    init(dataDirectory: URL, extraArguments: [String] = [], logLevel: String = "warning", stderr: URL? = nil)
        async throws
    {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        stdoutURL = dataDirectory.appendingPathComponent("stdout-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        process.executableURL = Self.binary
        process.arguments =
            [
                "--port", "0", "--data-dir", dataDirectory.path, "--snapshot-dir",
                dataDirectory.appendingPathComponent("snapshots").path, "--log-level", logLevel,
            ]
            + extraArguments
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        if let stderr {
            _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: stderr)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        // Wait (bounded) for the one `listening` line on stdout.
        for _ in 0..<1_000 {
            if let text = try? String(contentsOf: stdoutURL, encoding: .utf8),
                let line = text.split(separator: "\n").first,
                let port = try? JSONValue.parse(line)["port"]?.int
            {
                self.port = port
                return
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.terminate()
        throw SlotClientError.connectionClosed
    }

    /// A test that fails before it stops its server must not leave the server running after the test run.
    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then the exit status (bounded wait).
    func terminate() async throws -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        return try await exitStatus(withinSeconds: 10) ?? process.terminationStatus
    }

    /// The exit status once the process has ended by itself; nil if it was still running after `seconds`, and
    /// then it is killed (so a failing test leaves no server behind).
    func exitStatus(withinSeconds seconds: Int) async throws -> Int32? {
        for _ in 0..<(seconds * 50) where process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        guard !process.isRunning else {
            kill9()
            return nil
        }
        return process.terminationStatus
    }
}
