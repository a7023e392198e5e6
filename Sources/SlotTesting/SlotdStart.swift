import Foundation
import SlotClient

/// A `slotd` process just started, before its TCP port listens: what start-up looks like from outside (the HTTP
/// port answers while the journal replays). `SlotdProcess(waitingFor:)` waits for its `listening` line.
public struct SlotdStart: Sendable {
    public let process: ChildProcess
    /// The file the server's stdout goes to (its `listening` line).
    public let stdoutURL: URL
    /// The file its log lines go to, if any.
    public let stderrURL: URL?

    /// Starts `slotd --port 0 --http-port 0` on `dataDirectory` (created if missing; snapshots in its `snapshots`
    /// folder) with `extraArguments`. `logLevel` and `stderr`: the server's log lines go to `stderr` (a file), else
    /// nowhere.
    public init(dataDirectory: URL, extraArguments: [String] = [], logLevel: String = "warning", stderr: URL? = nil)
        throws
    {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        stdoutURL = dataDirectory.appendingPathComponent("stdout-\(UUID().uuidString).txt")
        stderrURL = stderr
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
    }

    /// The ports of the `listening` line, once the server has printed it.
    public func listeningLine() -> (port: Int, httpPort: Int?)? {
        guard let text = try? String(contentsOf: stdoutURL, encoding: .utf8),
            let line = text.split(separator: "\n").first, let json = try? JSONValue.parse(line),
            let port = json["port"]?.int
        else { return nil }
        return (port, json["http_port"]?.int)
    }

    /// The HTTP port, from the log line `listening for HTTP` (at `notice`, so `logLevel` must let it through to
    /// `stderr`), which comes as soon as that port listens: before the `listening` line, which waits for recovery.
    /// Nil if it has not come within `seconds`, or the process ended.
    public func httpPortFromLog(withinSeconds seconds: Int) async throws -> Int? {
        guard let stderrURL else { return nil }
        for _ in 0..<(seconds * 50) {
            let text = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") {
                guard let json = try? JSONValue.parse(line), json["message"] == "listening for HTTP" else { continue }
                return json["port"]?.int ?? json["port"]?.string.flatMap { Int($0) }
            }
            guard process.isRunning else { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}
