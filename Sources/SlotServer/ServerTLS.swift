import Foundation
import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// The files `--tls-cert`, `--tls-key` and `--tls-client-ca` name. With them the listener speaks TLS only: the
/// same line protocol runs inside it.
public struct TLSFiles: Sendable {
    /// PEM: the server's certificate first, then any intermediates its clients need to reach their trust root.
    public var certificateChain: URL
    /// PEM: the private key of the first certificate.
    public var privateKey: URL
    /// PEM: the certificates a client's certificate must chain to. Set, a client without such a certificate fails
    /// the handshake; nil, clients are not asked for one.
    public var clientCA: URL?

    public init(certificateChain: URL, privateKey: URL, clientCA: URL? = nil) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.clientCA = clientCA
    }
}

/// A TLS file that cannot be used, named so that the operator knows which flag to fix. Thrown at start-up,
/// before the journal is opened.
public struct TLSSetupError: Error, CustomStringConvertible {
    public let flag: String
    public let path: String
    public let reason: String

    public var description: String { "cannot use \(flag) \(path): \(reason)" }
}

enum ServerTLS {
    /// The one context every accepted connection's handshake uses, built once from the files so that a bad file
    /// stops start-up instead of failing every handshake later.
    static func makeContext(_ files: TLSFiles) throws -> NIOSSLContext {
        let chain = try load("--tls-cert", files.certificateChain) { try NIOSSLCertificate.fromPEMFile($0) }
        guard !chain.isEmpty else {
            throw TLSSetupError(flag: "--tls-cert", path: files.certificateChain.path, reason: "no certificate in it")
        }
        let key = try load("--tls-key", files.privateKey) { try NIOSSLPrivateKey(file: $0, format: .pem) }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        // TLS 1.0 and 1.1 are deprecated (RFC 8996); every maintained TLS library speaks 1.2.
        configuration.minimumTLSVersion = .tlsv12
        if let clientCA = files.clientCA {
            let roots = try load("--tls-client-ca", clientCA) { try NIOSSLCertificate.fromPEMFile($0) }
            guard !roots.isEmpty else {
                throw TLSSetupError(flag: "--tls-client-ca", path: clientCA.path, reason: "no certificate in it")
            }
            configuration.trustRoots = .certificates(roots)
            // A server has no name to check a client's certificate against: the chain to the CA is the check.
            configuration.certificateVerification = .noHostnameVerification
            configuration.sendCANameList = true
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            // Such as a key that does not belong to the certificate.
            throw TLSSetupError(flag: "--tls-key", path: files.privateKey.path, reason: "\(error)")
        }
    }

    private static func load<Value>(_ flag: String, _ url: URL, _ read: (String) throws -> Value) throws -> Value {
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            let reason = FileManager.default.fileExists(atPath: url.path) ? "not readable" : "no such file"
            throw TLSSetupError(flag: flag, path: url.path, reason: reason)
        }
        do {
            return try read(url.path)
        } catch {
            throw TLSSetupError(flag: flag, path: url.path, reason: "not PEM of the expected kind (\(error))")
        }
    }
}

/// Sits right after the TLS handler and closes a connection whose handshake is not done within
/// `tlsHandshakeSeconds`: until then the connection has sent no line, so neither the line timeout nor a request
/// count can notice a client that opens TLS connections and never finishes them. Logs a failed handshake (a
/// plain-TCP client on the TLS port, an unknown client certificate), then removes itself once the handshake is done.
final class TLSHandshakeDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let seconds: Int
    private let refusals: ConnectionRefusals?
    private let logger: Logger
    private var deadline: Scheduled<Void>?

    init(seconds: Int, refusals: ConnectionRefusals?, logger: Logger) {
        self.seconds = seconds
        self.refusals = refusals
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard seconds > 0 else { return }
        let channel = context.channel
        let seconds = seconds
        let logger = logger
        let refusals = refusals
        deadline = context.eventLoop.scheduleTask(in: .seconds(Int64(seconds))) {
            refusals?.count(.tlsHandshakeTimeout)
            logger.info(
                "connection closed: TLS handshake not done in time",
                metadata: ["peer": "\(channel.remoteAddress?.ipAddress ?? "?")", "limit_seconds": "\(seconds)"])
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent {
            deadline?.cancel()
            context.fireUserInboundEventTriggered(event)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Only errors before the handshake completes reach here: this handler is gone after it.
        logger.info(
            "TLS handshake failed",
            metadata: ["peer": "\(context.channel.remoteAddress?.ipAddress ?? "?")", "error": "\(error)"])
        context.fireErrorCaught(error)
    }
}
