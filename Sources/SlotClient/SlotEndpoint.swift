import Foundation
import NIOCore
import NIOSSL

/// How a client reaches one slotd: address, TLS and token. Build it once and open any number of connections
/// with it: the TLS files are read once, here.
public struct SlotEndpoint: Sendable {
    public let host: String
    public let port: Int
    /// The secret sent as `{"op":"auth"}` first on every connection; nil sends none. Never printed.
    public let token: String?
    let tlsContext: NIOSSLContext?

    /// `host:port`, for messages.
    public var description: String { "\(host):\(port)" }
    public var usesTLS: Bool { tlsContext != nil }

    /// Plain TCP, or TLS when `tls` is given. Throws `SlotClientError.tlsSetup` naming a file that cannot be used.
    public init(host: String = "127.0.0.1", port: Int, tls: SlotTLSOptions? = nil, token: String? = nil) throws {
        self.host = host
        self.port = port
        self.token = token
        tlsContext = try tls?.makeContext()
    }

    /// The environment variable a tool takes its token from when `--token` is not given: a secret on a command line
    /// is visible to every user of the machine (`ps`), one in the environment only to the user's own processes.
    public static let tokenEnvironmentVariable = "SLOTD_TOKEN"

    /// The endpoint the tools' flags describe (`--tls`, `--tls-ca`, `--tls-cert`, `--tls-key`, `--token`): TLS when
    /// `tls` is set or any TLS file is named, and the token from `SLOTD_TOKEN` when none is given (an empty one
    /// is none).
    public static func fromFlags(
        host: String, port: Int, tls: Bool, caFile: String?, certificateFile: String?, keyFile: String?,
        token: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> SlotEndpoint {
        let useTLS = tls || caFile != nil || certificateFile != nil || keyFile != nil
        let secret = (token ?? environment[tokenEnvironmentVariable]).flatMap { $0.isEmpty ? nil : $0 }
        return try SlotEndpoint(
            host: host, port: port,
            tls: useTLS ? SlotTLSOptions(caFile: caFile, certificateFile: certificateFile, keyFile: keyFile) : nil,
            token: secret)
    }

    /// Adds the client side of TLS to a new channel's pipeline (first, before the line framing); nothing without
    /// TLS. For clients that build their own channels (slotload); `SlotConnection` calls it itself.
    public func addTLS(to channel: any Channel) throws {
        guard let tlsContext else { return }
        try channel.pipeline.syncOperations.addHandler(
            NIOSSLClientHandler(context: tlsContext, serverHostname: Self.serverHostname(for: host)))
    }

    /// The name the server's certificate is checked against, and sent as SNI. An IP address is not a host name:
    /// with none given, NIOSSL checks the certificate's IP-address SANs against the address connected to instead.
    public static func serverHostname(for host: String) -> String? {
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        if inet_pton(AF_INET, host, &ipv4) == 1 || inet_pton(AF_INET6, host, &ipv6) == 1 { return nil }
        return host
    }

    /// The request line that authenticates a connection, newline included.
    public func authenticationLine() -> String? {
        token.map { JSONValue.object(["op": "auth", "token": .string($0)]).jsonText + "\n" }
    }

    /// Throws `SlotClientError.authenticationRefused` unless `reply` is the `auth` reply `"ok": true`.
    public static func checkAuthentication(_ reply: JSONValue) throws {
        guard reply.ok else {
            // The server's message, never the secret: the server does not echo it.
            throw SlotClientError.authenticationRefused(
                code: reply.errorCode ?? "unknown", message: reply["error"]?["message"]?.string ?? "")
        }
    }
}

/// The client's TLS settings. The server's certificate is always verified: its chain against `caFile` (or the
/// system's trust store when nil), and its name against the host connected to: a DNS name against the
/// certificate's DNS names, an IP address against its IP-address names. There is no switch to skip either
/// check; a test server gets a certificate naming 127.0.0.1 (docs/OPERATIONS.md shows how).
public struct SlotTLSOptions: Sendable {
    /// PEM: the CA certificates the server's certificate must chain to.
    public var caFile: String?
    /// PEM: this client's certificate chain, for a server started with `--tls-client-ca`.
    public var certificateFile: String?
    /// PEM: the private key of `certificateFile`.
    public var keyFile: String?

    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }

    func makeContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        // As the server: TLS 1.0 and 1.1 are deprecated (RFC 8996).
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let caFile {
            let roots = try Self.load(caFile) { try NIOSSLCertificate.fromPEMFile($0) }
            guard !roots.isEmpty else { throw SlotClientError.tlsSetup(path: caFile, reason: "no certificate in it") }
            configuration.trustRoots = .certificates(roots)
        }
        switch (certificateFile, keyFile) {
        case (nil, nil): break
        case (let certificateFile?, let keyFile?):
            let chain = try Self.load(certificateFile) { try NIOSSLCertificate.fromPEMFile($0) }
            let key = try Self.load(keyFile) { try NIOSSLPrivateKey(file: $0, format: .pem) }
            configuration.certificateChain = chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(key)
        case (let file?, nil), (nil, let file?):
            throw SlotClientError.tlsSetup(path: file, reason: "a client certificate and its key go together")
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw SlotClientError.tlsSetup(path: keyFile ?? caFile ?? "", reason: "\(error)")
        }
    }

    private static func load<Value>(_ path: String, _ read: (String) throws -> Value) throws -> Value {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw SlotClientError.tlsSetup(
                path: path, reason: FileManager.default.fileExists(atPath: path) ? "not readable" : "no such file")
        }
        do { return try read(path) } catch {
            throw SlotClientError.tlsSetup(path: path, reason: "not PEM of the expected kind (\(error))")
        }
    }
}
