import Foundation

/// A Python script from `scripts/` run as a local peer for one test (the webhook receiver, the misbehaving HTTP
/// peer): it listens on a free loopback port and prints `port N` once it accepts connections; it is killed by PID.
public struct PythonPeer: Sendable {
    public struct NotListening: Error, CustomStringConvertible {
        let script: String
        let stderr: String
        public var description: String { "\(script) did not start: \(stderr)" }
    }

    /// `scripts/<name>` in this package.
    public static func script(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/\(name)")
    }

    let process: ChildProcess
    public let port: Int

    /// Starts `python3 script arguments…` with its output in `directory`, and waits for its port line.
    init(script: URL, arguments: [String], directory: URL) async throws {
        let stdout = directory.appendingPathComponent("stdout.txt")
        let stderr = directory.appendingPathComponent("stderr.txt")
        let process = try ChildProcess(
            executable: URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3", script.path] + arguments,
            stdout: stdout, stderr: stderr)
        self.process = process
        // Python starts slowly on a loaded machine; 20 s is far past its usual second.
        for _ in 0..<1000 {
            let text = (try? String(contentsOf: stdout, encoding: .utf8)) ?? ""
            if text.hasSuffix("\n"), let port = Int(text.dropFirst("port ".count).dropLast()) {
                self.port = port
                return
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw NotListening(
            script: script.lastPathComponent, stderr: (try? String(contentsOf: stderr, encoding: .utf8)) ?? "")
    }

    /// SIGKILL (a hanging handler would hold off a polite stop).
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
