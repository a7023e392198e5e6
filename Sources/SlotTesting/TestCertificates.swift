import Foundation
import SlotClient
import SlotServer

/// A throwaway certificate authority with a server certificate for 127.0.0.1 and localhost and a client
/// certificate, made with the `openssl` command in a new temporary folder, for tests of TLS. P-256 keys, valid two
/// days. `otherClient` is signed by a second CA the server does not know.
public struct TestCertificates: Sendable {
    public let folder: URL
    public var caCertificate: URL { file("ca.pem") }
    public var serverCertificate: URL { file("server.pem") }
    public var serverKey: URL { file("server.key") }
    public var clientCertificate: URL { file("client.pem") }
    public var clientKey: URL { file("client.key") }
    public var otherClientCertificate: URL { file("other-client.pem") }
    public var otherClientKey: URL { file("other-client.key") }

    /// Makes every file; throws `SlotTestingError` if `openssl` is missing or fails.
    public static func make() async throws -> TestCertificates {
        let certificates = TestCertificates(folder: TestServer.temporaryDirectory())
        try FileManager.default.createDirectory(at: certificates.folder, withIntermediateDirectories: true)
        try await certificates.makeAuthority("ca", name: "slotd test CA")
        try await certificates.makeAuthority("other-ca", name: "slotd other test CA")
        try await certificates.issue(
            "server", by: "ca", name: "localhost",
            extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                + "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature")
        try await certificates.issue(
            "client", by: "ca", name: "slotd test client",
            extensions: "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature")
        try await certificates.issue(
            "other-client", by: "other-ca", name: "slotd stranger",
            extensions: "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature")
        return certificates
    }

    /// The server's files, optionally requiring client certificates signed by the test CA.
    public func serverFiles(requireClientCertificates: Bool = false) -> TLSFiles {
        TLSFiles(
            certificateChain: serverCertificate, privateKey: serverKey,
            clientCA: requireClientCertificates ? caCertificate : nil)
    }

    /// The same as `slotd` flags, for `SlotdProcess(extraArguments:)`.
    public func serverArguments(requireClientCertificates: Bool = false) -> [String] {
        ["--tls-cert", serverCertificate.path, "--tls-key", serverKey.path]
            + (requireClientCertificates ? ["--tls-client-ca", caCertificate.path] : [])
    }

    /// Client settings that trust the test CA, with the client certificate or not.
    public func clientOptions(withCertificate: Bool = false) -> SlotTLSOptions {
        SlotTLSOptions(
            caFile: caCertificate.path, certificateFile: withCertificate ? clientCertificate.path : nil,
            keyFile: withCertificate ? clientKey.path : nil)
    }

    public func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    private func file(_ name: String) -> URL { folder.appendingPathComponent(name) }

    private func makeAuthority(_ stem: String, name: String) async throws {
        try await openssl(
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", file("\(stem).key").path, "-out", file("\(stem).pem").path, "-days", "2", "-subj", "/CN=\(name)",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    }

    private func issue(_ stem: String, by authority: String, name: String, extensions: String) async throws {
        let extensionsFile = file("\(stem).ext")
        try Data(
            (extensions + "\nbasicConstraints=CA:FALSE\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
                .utf8
        ).write(to: extensionsFile)
        try await openssl(
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", file("\(stem).key").path, "-out", file("\(stem).csr").path, "-subj", "/CN=\(name)")
        try await openssl(
            "x509", "-req", "-in", file("\(stem).csr").path, "-CA", file("\(authority).pem").path,
            "-CAkey", file("\(authority).key").path, "-set_serial", String(UInt32.random(in: 1...UInt32.max)),
            "-days", "2", "-extfile", extensionsFile.path, "-out", file("\(stem).pem").path)
    }

    private func openssl(_ arguments: String...) async throws {
        let run = try await ToolProcess.runSystem("openssl", arguments)
        guard run.status == 0 else {
            throw SlotTestingError.commandFailed(
                command: "openssl \(arguments.prefix(2).joined(separator: " "))", status: run.status, stderr: run.stderr
            )
        }
    }
}
