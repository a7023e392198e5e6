import Foundation

/// `scripts/webhook-receiver.py`, started on a free loopback port for one test and killed by PID when it is done:
/// a real HTTP server that checks each delivery's signature with the `standardwebhooks` package (PyPI), an
/// implementation that shares no code with slotd's signer.
public struct WebhookReceiver: Sendable {
    /// One request as the receiver saw it.
    public struct Received: Equatable, Sendable {
        public var id: String?
        public var timestamp: String?
        public var verified: Bool
        public var error: String?
        public var body: String
        public var userAgent: String?
        public var contentType: String?
    }

    public static let script = PythonPeer.script("webhook-receiver.py")

    let peer: PythonPeer
    public var port: Int { peer.port }
    public let directory: URL
    private var log: URL { directory.appendingPathComponent("received.jsonl") }
    private var modeFile: URL { directory.appendingPathComponent("mode") }

    /// Starts the receiver in a new temporary directory, answering as `mode` says (see the script).
    public init(secret: String, mode: String = "ok") async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(mode.utf8).write(to: directory.appendingPathComponent("mode"))
        peer = try await PythonPeer(
            script: Self.script,
            arguments: [
                "--secret", secret, "--log", directory.appendingPathComponent("received.jsonl").path, "--mode-file",
                directory.appendingPathComponent("mode").path,
            ], directory: directory)
    }

    /// Changes how the next requests are answered.
    public func setMode(_ mode: String) throws {
        try Data(mode.utf8).write(to: modeFile, options: .atomic)
    }

    /// Every request received so far, in order.
    public func received() -> [Received] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                return nil
            }
            return Received(
                id: object["id"] as? String, timestamp: object["timestamp"] as? String,
                verified: object["verified"] as? Bool ?? false, error: object["error"] as? String,
                body: object["body"] as? String ?? "", userAgent: object["user_agent"] as? String,
                contentType: object["content_type"] as? String)
        }
    }

    /// SIGKILL (a hanging handler would hold off a polite stop), then the directory goes.
    public func stop() {
        peer.kill9()
        try? FileManager.default.removeItem(at: directory)
    }
}
