import Foundation
import SlotClient
import SlotTesting
import Testing

/// The client half of `--token`, against a stand-in server (a Python script) that answers `auth` as the protocol
/// says: the token goes first on the connection, a refusal becomes a clear error, and the secret is never shown.
/// `ClientTokenTests` holds the same against slotd itself.
@Suite struct ClientAuthenticationTests {
    static let secret = "slotd_standInSecretForTheClientSideTestsOnly0123456789"
    static let wrongSecret = "slotd_notTheRightSecretButShapedLikeOne0123456789abcd"

    @Test func slotConnectionSendsTheTokenFirstAndStopsOnRefusal() async throws {
        try await StandInServer.run { server in
            let endpoint = try SlotEndpoint(port: server.port, token: Self.secret)
            let reply = try await SlotConnection.withConnection(to: endpoint) { try await $0.call(["op": "ping"]) }
            #expect(reply.ok)
            let wrong = try SlotEndpoint(port: server.port, token: Self.wrongSecret)
            do {
                _ = try await SlotConnection.withConnection(to: wrong) { try await $0.call(["op": "ping"]) }
                Issue.record("a refused token did not stop the connection")
            } catch SlotClientError.authenticationRefused(let code, let message) {
                #expect(code == "unauthenticated" && message == "unknown token")
                #expect(!"\(SlotClientError.authenticationRefused(code: code, message: message))".contains("slotd_"))
            }
            let plain = try SlotEndpoint(port: server.port)
            #expect(try await SlotConnection.withConnection(to: plain) { try await $0.call(["op": "ping"]) }.ok)
            let firstLines = try server.firstLines()
            #expect(firstLines.count == 3, "\(firstLines)")
            #expect(firstLines.first == ["op": "auth", "token": .string(Self.secret)])
            #expect(firstLines.dropFirst().first == ["op": "auth", "token": .string(Self.wrongSecret)])
            #expect(firstLines.last == ["op": "ping"])
        }
    }

    @Test func slotctlTakesTheTokenAndNeverPrintsIt() async throws {
        try await StandInServer.run { server in
            let port = String(server.port)
            let good = try await ToolProcess.run(
                "slotctl", ["status", "--port", port, "--token", Self.secret, "--json"])
            #expect(good.status == 0, "\(good.stderr)")
            #expect(!good.stdout.contains(Self.secret) && !good.stderr.contains(Self.secret))
            let refused = try await ToolProcess.run("slotctl", ["status", "--port", port, "--token", Self.wrongSecret])
            #expect(refused.status == 1, "\(refused.stderr)")
            #expect(refused.stderr.contains("refused auth: unauthenticated: unknown token"), "\(refused.stderr)")
            #expect(!refused.stdout.contains(Self.wrongSecret) && !refused.stderr.contains(Self.wrongSecret))
            #expect(try server.firstLines().map { $0["op"] } == ["auth", "auth"])
        }
    }
}

/// A Python script on 127.0.0.1 that takes `ClientAuthenticationTests.secret` and answers `ping` and `stats`;
/// it writes each connection's first line to a file. Killed when the test is done.
struct StandInServer {
    let port: Int
    let folder: URL

    static let script = """
        import json, socket, sys, threading
        secret, lines_path = sys.argv[1], sys.argv[2]
        listener = socket.create_server(("127.0.0.1", 0))
        print(listener.getsockname()[1], flush=True)
        lock = threading.Lock()
        def reply(stream, value):
            stream.write((json.dumps(value) + "\\n").encode()); stream.flush()
        def serve(connection):
            connection.settimeout(20)
            with connection, connection.makefile("rwb") as stream:
                first = True
                for raw in stream:
                    request = json.loads(raw)
                    if first:
                        with lock, open(lines_path, "a") as lines:
                            lines.write(raw.decode())
                    if request.get("op") == "auth":
                        if not first or request.get("token") != secret:
                            reply(stream, {"ok": False, "error": {"code": "unauthenticated", "message": "unknown token"}})
                            return
                        reply(stream, {"ok": True, "principal": {"token": "t1", "name": "ops", "role": "admin"}})
                    elif request.get("op") == "stats":
                        reply(stream, {"ok": True, "stats": {"connections": 1}})
                    else:
                        reply(stream, {"id": request.get("id"), "ok": True})
                    first = False
        while True:
            connection, _ = listener.accept()
            threading.Thread(target=serve, args=(connection,), daemon=True).start()
        """

    static func run(_ body: (StandInServer) async throws -> Void) async throws {
        let folder = TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let stdout = folder.appendingPathComponent("stdout")
        let python = try ToolProcess.systemExecutable("python3")
        let process = try ChildProcess(
            executable: python,
            arguments: ["-c", script, ClientAuthenticationTests.secret, folder.appendingPathComponent("lines").path],
            stdout: stdout, stderr: folder.appendingPathComponent("stderr"))
        // SIGKILL: python3 inherits the test process's ignored SIGTERM (see ToolProcess).
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        var port: Int?
        for _ in 0..<500 where port == nil && process.isRunning {
            port = (try? String(contentsOf: stdout, encoding: .utf8)).flatMap {
                Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            if port == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        guard let port else { throw SlotTestingError.notListening(exitStatus: nil) }
        try await body(StandInServer(port: port, folder: folder))
    }

    /// Each connection's first line so far, in the order the connections sent them.
    func firstLines() throws -> [JSONValue] {
        let text = (try? String(contentsOf: folder.appendingPathComponent("lines"), encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }
}
