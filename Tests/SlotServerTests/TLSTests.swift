import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// The listener with TLS (`--tls-cert`, `--tls-key`, `--tls-client-ca`), reached by `SlotConnection` and by an
/// independent TLS client, Python's `ssl` module. Certificates are made by `openssl` for each test.
@Suite struct TLSTests {
    /// Runs `body` with a server speaking TLS with the test certificates, on 127.0.0.1 port 0.
    static func withTLSServer(
        requireClientCertificates: Bool = false, handshakeSeconds: Int = ServerConfiguration().tlsHandshakeSeconds,
        _ body: (TestServer, TestCertificates) async throws -> Void
    ) async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let configuration = TestServer.configuration {
            $0.tls = certificates.serverFiles(requireClientCertificates: requireClientCertificates)
            $0.tlsHandshakeSeconds = handshakeSeconds
        }
        try await TestServer.run(configuration: configuration) { server in try await body(server, certificates) }
    }

    @Test func slotConnectionPingsAndHoldsOverTLS() async throws {
        try await Self.withTLSServer { server, certificates in
            let endpoint = try SlotEndpoint(port: server.port, tls: certificates.clientOptions())
            try await SlotConnection.withConnection(to: endpoint) { client in
                #expect(try await client.call(["id": 1, "op": "ping"]) == ["id": 1, "ok": true])
                #expect(try await client.call(Requests.createResource("dr-tls")).ok)
                let held = try await client.call(
                    Requests.hold("dr-tls", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z"))
                #expect(held["booking"]?["id"] == "dr-tls/1", "\(held)")
                let replies = try await client.pipeline((1...20).map { ["id": .number(Double($0)), "op": "ping"] })
                #expect(replies.map { $0["id"]?.int } == (1...20).map { $0 })
            }
            // By name too: the certificate's DNS name is checked when the host is a name.
            let byName = try SlotEndpoint(host: "localhost", port: server.port, tls: certificates.clientOptions())
            #expect(try await SlotConnection.withConnection(to: byName) { try await $0.call(["op": "ping"]) }.ok)
        }
    }

    @Test func pythonSSLClientGetsAReply() async throws {
        try await Self.withTLSServer { server, certificates in
            let run = try await PythonTLSClient.ping(port: server.port, certificates: certificates)
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            let reply = try JSONValue.parse(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(reply == ["id": 7, "ok": true])
            #expect(run.stderr.contains("TLSv1."), "the protocol Python negotiated: \(run.stderr)")
        }
    }

    @Test func serverCertificateNotFromTheTrustedCAIsRefused() async throws {
        try await Self.withTLSServer { server, certificates in
            // The other CA did not sign the server's certificate: the client refuses the server.
            let wrongCA = SlotTLSOptions(caFile: certificates.folder.appendingPathComponent("other-ca.pem").path)
            let endpoint = try SlotEndpoint(port: server.port, tls: wrongCA)
            await #expect(throws: (any Error).self) {
                try await SlotConnection.withConnection(to: endpoint) { try await $0.call(["op": "ping"]) }
            }
        }
    }

    @Test func plainTCPClientIsClosedWhileTLSClientsGoOn() async throws {
        try await Self.withTLSServer { server, certificates in
            let endpoint = try SlotEndpoint(port: server.port, tls: certificates.clientOptions())
            try await SlotConnection.withConnection(to: endpoint) { tlsClient in
                #expect(try await tlsClient.call(["op": "ping"]).ok)
                // A request line in the clear is not a TLS record: the handshake fails and that connection closes.
                let plainOutcome = try await Self.plainTCPOutcome(port: server.port, sending: #"{"op":"ping"}"#)
                #expect(plainOutcome == "closed")
                #expect(try await tlsClient.call(["id": 2, "op": "ping"]) == ["id": 2, "ok": true])
                let other = try await PythonTLSClient.ping(port: server.port, certificates: certificates)
                #expect(other.status == 0, "\(other.stdout)\(other.stderr)")
            }
        }
    }

    @Test func handshakeNotStartedIsClosedAfterTheHandshakeTime() async throws {
        try await Self.withTLSServer(handshakeSeconds: 1) { server, certificates in
            // A connection whose handshake is done is not touched by the handshake time.
            let endpoint = try SlotEndpoint(port: server.port, tls: certificates.clientOptions())
            try await SlotConnection.withConnection(to: endpoint) { client in
                #expect(try await client.call(["op": "ping"]).ok)
                try await Task.sleep(for: .milliseconds(1_500))
                #expect(try await client.call(["op": "ping"]).ok)
            }
            let started = ContinuousClock.now
            let outcome = try await Self.plainTCPOutcome(port: server.port, sending: nil)
            let elapsed = ContinuousClock.now - started
            #expect(outcome == "closed")
            #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(5), "\(elapsed)")
        }
    }

    @Test func clientCertificateRequiredWhenClientCAIsGiven() async throws {
        try await Self.withTLSServer(requireClientCertificates: true) { server, certificates in
            let withCertificate = try SlotEndpoint(
                port: server.port, tls: certificates.clientOptions(withCertificate: true))
            #expect(
                try await SlotConnection.withConnection(to: withCertificate) { try await $0.call(["op": "ping"]) }.ok)
            let without = try SlotEndpoint(port: server.port, tls: certificates.clientOptions())
            await #expect(throws: (any Error).self) {
                try await SlotConnection.withConnection(to: without) { try await $0.call(["op": "ping"]) }
            }
            let stranger = try SlotEndpoint(
                port: server.port,
                tls: SlotTLSOptions(
                    caFile: certificates.caCertificate.path, certificateFile: certificates.otherClientCertificate.path,
                    keyFile: certificates.otherClientKey.path))
            await #expect(throws: (any Error).self) {
                try await SlotConnection.withConnection(to: stranger) { try await $0.call(["op": "ping"]) }
            }
            let pythonWith = try await PythonTLSClient.ping(
                port: server.port, certificates: certificates, withCertificate: true)
            #expect(pythonWith.status == 0, "\(pythonWith.stdout)\(pythonWith.stderr)")
            let pythonWithout = try await PythonTLSClient.ping(port: server.port, certificates: certificates)
            #expect(
                pythonWithout.status == PythonTLSClient.failedStatus, "\(pythonWithout.stdout)\(pythonWithout.stderr)")
            // The server still serves the client that has a certificate after those failures.
            #expect(
                try await SlotConnection.withConnection(to: withCertificate) { try await $0.call(["op": "ping"]) }.ok)
        }
    }

    @Test func unusableFilesStopStartUpNamingTheFile() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let missing = certificates.folder.appendingPathComponent("missing.pem")
        let cases: [(TLSFiles, String, String)] = [
            (TLSFiles(certificateChain: missing, privateKey: certificates.serverKey), "--tls-cert", missing.path),
            (
                TLSFiles(certificateChain: certificates.serverCertificate, privateKey: certificates.serverCertificate),
                "--tls-key", certificates.serverCertificate.path
            ),
            (
                TLSFiles(certificateChain: certificates.serverCertificate, privateKey: certificates.clientKey),
                "--tls-key", certificates.clientKey.path
            ),
            (certificates.serverFiles().withClientCA(missing), "--tls-client-ca", missing.path),
        ]
        for (files, flag, path) in cases {
            let configuration = TestServer.configuration { $0.tls = files }
            do {
                try await TestServer.run(configuration: configuration) { _ in }
                Issue.record("started with \(flag) \(path)")
            } catch let error as TLSSetupError {
                #expect(error.flag == flag && error.path == path, "\(error)")
                #expect("\(error)".contains(path))
            }
        }
    }

    /// What a plain-TCP client on the TLS port sees after sending `line` (or nothing): "closed" when the server
    /// closes the connection, the line it got otherwise, or "timed out" after 10 s (the test never hangs).
    static func plainTCPOutcome(port: Int, sending line: String?) async throws -> String {
        try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                try await SlotConnection.withConnection(port: port) { plain in
                    if let line { try await plain.send(line) }
                    do { return "reply: \(try await plain.receiveLine())" } catch { return "closed" }
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(10))
                return "timed out"
            }
            defer { group.cancelAll() }
            return try await group.next() ?? "timed out"
        }
    }
}

extension TLSFiles {
    func withClientCA(_ url: URL) -> TLSFiles {
        var copy = self
        copy.clientCA = url
        return copy
    }
}

/// Python's `ssl` module as an independent TLS client: connects to 127.0.0.1, checks the server's certificate
/// against the test CA (and its IP address), sends one ping line and prints the reply. Bounded by a socket timeout
/// and by `ToolProcess`'s.
enum PythonTLSClient {
    /// The exit status when the handshake or the read failed.
    static let failedStatus: Int32 = 3

    static let script = """
        import socket, ssl, sys
        port, cafile, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
        context = ssl.create_default_context(cafile=cafile)
        if cert:
            context.load_cert_chain(cert, key)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
                with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                    print(tls.version(), file=sys.stderr)
                    tls.sendall(b'{"id":7,"op":"ping"}\\n')
                    reply = b""
                    while not reply.endswith(b"\\n"):
                        chunk = tls.recv(4096)
                        if not chunk:
                            raise ConnectionError("closed before a reply")
                        reply += chunk
                    print(reply.decode().strip())
        except (ssl.SSLError, OSError) as error:
            print("failed:", repr(error), file=sys.stderr)
            sys.exit(3)
        """

    static func ping(port: Int, certificates: TestCertificates, withCertificate: Bool = false) async throws
        -> ToolProcess.Run
    {
        try await ToolProcess.runSystem(
            "python3",
            [
                "-c", script, String(port), certificates.caCertificate.path,
                withCertificate ? certificates.clientCertificate.path : "",
                withCertificate ? certificates.clientKey.path : "",
            ], timeoutSeconds: 20)
    }
}
