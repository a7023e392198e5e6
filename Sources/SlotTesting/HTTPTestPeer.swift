import Foundation

/// `scripts/http-test-peer.py`, started on a free loopback port for one test and killed by PID when it is done: an
/// HTTP server that hangs, trickles or floods its answers on purpose (see the script for its modes).
public struct HTTPTestPeer: Sendable {
    public struct NotListening: Error, CustomStringConvertible {
        let stderr: String
        public var description: String { "the HTTP test peer did not start: \(stderr)" }
    }

    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/http-test-peer.py")

    let process: ChildProcess
    public let port: Int
    public let directory: URL
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    public init(mode: String) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("http-peer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let stdout = directory.appendingPathComponent("stdout.txt")
        let stderr = directory.appendingPathComponent("stderr.txt")
        process = try ChildProcess(
            executable: URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3", Self.script.path, "--mode", mode],
            stdout: stdout, stderr: stderr)
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
        throw NotListening(stderr: (try? String(contentsOf: stderr, encoding: .utf8)) ?? "")
    }

    /// SIGKILL (a hanging handler would hold off a polite stop), then the directory goes.
    public func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
