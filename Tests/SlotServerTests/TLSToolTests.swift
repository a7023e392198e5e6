import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// TLS through the real binaries: `slotd --tls-cert/--tls-key/--tls-client-ca`, `slotctl --tls-ca`, `slotload
/// --tls-ca`; and how the tools' flags become an endpoint.
@Suite struct TLSToolTests {
    @Test func slotdWithTLSServesSlotctlAndRefusesPlainSlotctl() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let folder = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await SlotdProcess(
            dataDirectory: folder, extraArguments: certificates.serverArguments(requireClientCertificates: true))
        let port = String(server.port)
        let clientFiles = [
            "--tls-ca", certificates.caCertificate.path, "--tls-cert", certificates.clientCertificate.path,
            "--tls-key", certificates.clientKey.path,
        ]
        let status = try await ToolProcess.run("slotctl", ["status", "--port", port, "--json"] + clientFiles)
        #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
        #expect(try status.json()["connections"] == 1, "\(status.stdout)")
        // No client certificate: the handshake fails, which slotctl reports as a server it cannot talk to.
        let noCertificate = try await ToolProcess.run(
            "slotctl",
            ["status", "--port", port, "--tls-ca", certificates.caCertificate.path, "--timeout-seconds", "5"])
        #expect(noCertificate.status == 2, "\(noCertificate.stdout)\(noCertificate.stderr)")
        let plain = try await ToolProcess.run("slotctl", ["status", "--port", port, "--timeout-seconds", "5"])
        #expect(plain.status == 2, "\(plain.stdout)\(plain.stderr)")
        let missingCA = try await ToolProcess.run(
            "slotctl", ["status", "--port", port, "--tls-ca", "/nonexistent.pem"])
        #expect(missingCA.status == 3 && missingCA.stderr.contains("/nonexistent.pem"), "\(missingCA.stderr)")
        #expect(try await server.terminate() == 0)
    }

    @Test func slotdRefusesToStartWithAMissingCertificateNamingIt() async throws {
        let folder = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("no-such-cert.pem").path
        let run = try await ToolProcess.run(
            "slotd",
            [
                "--port", "0", "--data-dir", folder.path, "--snapshot-dir", folder.appendingPathComponent("s").path,
                "--tls-cert", missing, "--tls-key", missing,
            ])
        #expect(run.status != 0)
        #expect(run.stderr.contains("--tls-cert") && run.stderr.contains(missing), "\(run.stderr)")
        let onlyKey = try await ToolProcess.run("slotd", ["--port", "0", "--tls-key", missing])
        #expect(onlyKey.status == 64 && onlyKey.stderr.contains("--tls-cert and --tls-key go together"))
    }

    @Test func slotloadRunsOverTLSAndPasses() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let configuration = TestServer.configuration { $0.tls = certificates.serverFiles() }
        try await TestServer.run(clock: SystemClock(), configuration: configuration) { server in
            let run = try await ToolProcess.run(
                "slotload",
                [
                    "--port", String(server.port), "-c", "4", "-P", "4", "-n", "800", "--resources", "10",
                    "--tls-ca", certificates.caCertificate.path,
                ], timeoutSeconds: 60)
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            #expect(run.stdout.contains("verdict pass") || run.stdout.contains("pass"), "\(run.stdout)")
        }
    }

    @Test func flagsMakeTheEndpoint() throws {
        let plain = try SlotEndpoint.fromFlags(
            host: "127.0.0.1", port: 1, tls: false, caFile: nil, certificateFile: nil, keyFile: nil, token: nil,
            environment: [:])
        #expect(!plain.usesTLS && plain.token == nil)
        let fromEnvironment = try SlotEndpoint.fromFlags(
            host: "127.0.0.1", port: 1, tls: true, caFile: nil, certificateFile: nil, keyFile: nil, token: nil,
            environment: ["SLOTD_TOKEN": "slotd_secret"])
        #expect(fromEnvironment.usesTLS && fromEnvironment.token == "slotd_secret")
        let flagWins = try SlotEndpoint.fromFlags(
            host: "127.0.0.1", port: 1, tls: false, caFile: nil, certificateFile: nil, keyFile: nil,
            token: "slotd_flag", environment: ["SLOTD_TOKEN": "slotd_secret"])
        #expect(flagWins.token == "slotd_flag")
        let empty = try SlotEndpoint.fromFlags(
            host: "127.0.0.1", port: 1, tls: false, caFile: nil, certificateFile: nil, keyFile: nil, token: nil,
            environment: ["SLOTD_TOKEN": ""])
        #expect(empty.token == nil)
        #expect(throws: SlotClientError.self) {
            try SlotEndpoint.fromFlags(
                host: "h", port: 1, tls: false, caFile: "/nonexistent.pem", certificateFile: nil, keyFile: nil,
                token: nil, environment: [:])
        }
        #expect(SlotEndpoint.serverHostname(for: "127.0.0.1") == nil)
        #expect(SlotEndpoint.serverHostname(for: "::1") == nil)
        #expect(SlotEndpoint.serverHostname(for: "slotd.example") == "slotd.example")
        let line = try #require(flagWins.authenticationLine())
        #expect(try JSONValue.parse(line) == ["op": "auth", "token": "slotd_flag"] && line.hasSuffix("\n"))
    }

    @Test func helpNeverShowsATokenValue() async throws {
        // The environment variable is named; its value is read only when the command runs.
        for tool in ["slotctl", "slotload"] {
            let arguments = tool == "slotctl" ? ["status", "--help"] : ["--help"]
            let help = try await ToolProcess.run(tool, arguments)
            #expect(help.stdout.contains("--token") && help.stdout.contains("SLOTD_TOKEN"), "\(tool)")
        }
    }
}
