import Foundation

/// `scripts/http-test-peer.py`, started on a free loopback port for one test and killed by PID when it is done: an
/// HTTP server that hangs, trickles or floods its answers on purpose (see the script for its modes).
public struct HTTPTestPeer: Sendable {
    public static let script = PythonPeer.script("http-test-peer.py")

    let peer: PythonPeer
    public var port: Int { peer.port }
    public let directory: URL
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    public init(mode: String) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("http-peer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        peer = try await PythonPeer(script: Self.script, arguments: ["--mode", mode], directory: directory)
    }

    /// SIGKILL (a hanging handler would hold off a polite stop), then the directory goes.
    public func stop() {
        peer.kill9()
        try? FileManager.default.removeItem(at: directory)
    }
}
