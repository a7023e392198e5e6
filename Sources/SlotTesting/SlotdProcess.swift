import Foundation
import SlotClient

/// A `slotd` started as a separate process from the built binary (`PackageExecutable`), as an operator would run
/// it: for what only a real process shows (kill -9, signals, exit status, its memory and CPU).
public final class SlotdProcess: RunningServer, Sendable {
    /// The server's process: tests send it signals and ask whether it still runs.
    public let process: ChildProcess
    /// The port the server reported in its `listening` line.
    public let port: Int
    /// The HTTP side port it reported there; nil when `extraArguments` turned it off.
    public let httpPort: Int?
    /// The file the server's stdout goes to (its `listening` line).
    public let stdoutURL: URL

    /// Starts `slotd --port 0 --http-port 0` on `dataDirectory` (created if missing; snapshots in its `snapshots` folder) with
    /// `extraArguments`, and returns once it listens. `logLevel` and `stderr`: the server's log lines go to
    /// `stderr` (a file), else nowhere.
    public init(dataDirectory: URL, extraArguments: [String] = [], logLevel: String = "warning", stderr: URL? = nil)
        async throws
    {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        stdoutURL = dataDirectory.appendingPathComponent("stdout-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        let arguments =
            [
                "--port", "0", "--http-port", "0", "--data-dir", dataDirectory.path, "--snapshot-dir",
                dataDirectory.appendingPathComponent("snapshots").path, "--log-level", logLevel,
            ]
            + extraArguments
        if let stderr { _ = FileManager.default.createFile(atPath: stderr.path, contents: nil) }
        process = try ChildProcess(
            executable: try PackageExecutable.url("slotd"), arguments: arguments, stdout: stdoutURL, stderr: stderr)
        // Wait (bounded) for the one `listening` line on stdout.
        for _ in 0..<1_000 {
            if let text = try? String(contentsOf: stdoutURL, encoding: .utf8),
                let line = text.split(separator: "\n").first,
                let port = try? JSONValue.parse(line)["port"]?.int
            {
                self.port = port
                self.httpPort = try? JSONValue.parse(line)["http_port"]?.int
                return
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let exitStatus = process.isRunning ? nil : process.terminationStatus
        process.terminate()
        throw SlotTestingError.notListening(exitStatus: exitStatus)
    }

    /// SIGKILL, as a crash would end it; returns once it has ended.
    public func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then the exit status (bounded wait).
    public func terminate() async throws -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        return try await exitStatus(withinSeconds: 10) ?? process.terminationStatus
    }

    /// The exit status once the process has ended by itself; nil if it was still running after `seconds`, and
    /// then it is killed (so a failing test leaves no server behind).
    public func exitStatus(withinSeconds seconds: Int) async throws -> Int32? {
        for _ in 0..<(seconds * 50) where process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        guard !process.isRunning else {
            kill9()
            return nil
        }
        return process.terminationStatus
    }
}
