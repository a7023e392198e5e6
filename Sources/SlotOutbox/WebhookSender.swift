import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix

/// One attempt at delivering one event to one endpoint: what the outbox hands the sender.
public struct OutgoingDelivery: Sendable {
    public var url: WebhookURL
    /// `webhook-id`: the same for every attempt at the same event and endpoint, so receivers deduplicate by it.
    public var messageID: String
    /// `webhook-timestamp`: when this attempt was made, in Unix seconds.
    public var timestampSeconds: Int64
    /// The event's JSON, sent and signed as these exact bytes.
    public var body: [UInt8]
    public var signer: WebhookSigner

    public init(url: WebhookURL, messageID: String, timestampSeconds: Int64, body: [UInt8], signer: WebhookSigner) {
        self.url = url
        self.messageID = messageID
        self.timestampSeconds = timestampSeconds
        self.body = body
        self.signer = signer
    }
}

/// Sends signed webhook POSTs over one `HTTPClient`. Every attempt ends in an `AttemptOutcome`, never an error:
/// the outbox decides what a failure means (retry later, open the breaker), and the sender never retries.
///
/// Call `shutdown()` once no `send` is in flight and none will start: the client's connections stay open until
/// then, and async-http-client stops a debug build whose client is released without it.
public final class WebhookSender: Sendable {
    public struct Configuration: Hashable, Sendable {
        /// The whole attempt: resolving the host, connecting, sending, and reading the receiver's answer.
        /// Receivers are expected to answer at once and work afterwards; one that holds the request longer is
        /// treated as down, so a dead receiver costs a connection for at most this long.
        public var requestTimeoutSeconds: Int
        /// Connecting, TLS handshake included.
        public var connectTimeoutSeconds: Int
        /// How much of the receiver's answer body is read (so that its connection can be reused); past this the
        /// connection is dropped. slotd only needs the status.
        public var responseBytesMax: Int
        /// The largest event body sent; a bigger one fails without an attempt.
        public var bodyBytesMax: Int
        /// `--allow-private-webhooks`: send to loopback and private addresses too.
        public var allowPrivate: Bool

        public init(
            requestTimeoutSeconds: Int = 10, connectTimeoutSeconds: Int = 5, responseBytesMax: Int = 64 * 1024,
            bodyBytesMax: Int = 256 * 1024, allowPrivate: Bool = false
        ) {
            self.requestTimeoutSeconds = requestTimeoutSeconds
            self.connectTimeoutSeconds = connectTimeoutSeconds
            self.responseBytesMax = responseBytesMax
            self.bodyBytesMax = bodyBytesMax
            self.allowPrivate = allowPrivate
        }
    }

    public let configuration: Configuration
    let client: HTTPClient

    public init(
        configuration: Configuration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        precondition(configuration.requestTimeoutSeconds > 0 && configuration.connectTimeoutSeconds > 0)
        precondition(configuration.responseBytesMax >= 0 && configuration.bodyBytesMax >= 0)
        self.configuration = configuration
        var client = HTTPClient.Configuration()
        client.timeout = .init(connect: .seconds(Int64(configuration.connectTimeoutSeconds)))
        // A redirect would send the event to a URL the policy never checked (a public URL answering 307 to
        // 169.254.169.254): a 3xx is a failed attempt like any other non-2xx.
        client.redirectConfiguration = .disallow
        // Without this the client retries a refused connection until the deadline; a refused connection is an
        // answer, and the outbox's schedule is the one place that decides when to try again.
        client.connectionPool.retryConnectionEstablishment = false
        client.decompression = .disabled
        // With `--otlp-endpoint` the client would export a span per delivery carrying the full URL, and receivers'
        // URLs often hold a token in their query; a delivery's trace belongs to the outbox, not to a client request.
        client.tracing.tracer = nil
        self.client = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: client)
    }

    /// Closes the client's connections. Async on purpose: `syncShutdown` blocks its thread, and on an event loop
    /// it would wait for itself.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    public func send(_ delivery: OutgoingDelivery) async -> AttemptOutcome {
        guard delivery.body.count <= configuration.bodyBytesMax else {
            return .failed(status: nil, reason: "body over \(configuration.bodyBytesMax) bytes")
        }
        let deadline = NIODeadline.now() + .seconds(Int64(configuration.requestTimeoutSeconds))
        if let refusal = await addressRefusal(delivery.url, deadline: deadline) {
            return .failed(status: nil, reason: refusal)
        }
        do {
            let response = try await client.execute(request(for: delivery), deadline: deadline)
            await readSome(of: response.body, before: deadline)
            let status = Int(response.status.code)
            guard (200..<300) ~= status else { return .failed(status: status, reason: "status \(status)") }
            return .delivered(status: status)
        } catch {
            return .failed(status: nil, reason: reason(for: error))
        }
    }

    private func request(for delivery: OutgoingDelivery) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: delivery.url.text)
        request.method = .POST
        let signature = delivery.signer.signature(
            id: delivery.messageID, timestampSeconds: delivery.timestampSeconds, body: delivery.body)
        request.headers = [
            "content-type": "application/json",
            "user-agent": "slotd",
            "webhook-id": delivery.messageID,
            "webhook-timestamp": String(delivery.timestampSeconds),
            "webhook-signature": signature,
        ]
        request.body = .bytes(delivery.body)
        return request
    }

    /// Reads the answer's body up to `responseBytesMax`, then lets it go: leaving the loop early drops the
    /// connection. The status is already known, so a body that breaks off changes nothing. The client's deadline
    /// covers the answer's head only; a receiver that sends a head and then trickles its body forever would hold
    /// the attempt without this one.
    private func readSome(of body: HTTPClientResponse.Body, before deadline: NIODeadline) async {
        let bytesMax = configuration.responseBytesMax
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var bytesRead = 0
                do {
                    for try await chunk in body {
                        bytesRead += chunk.readableBytes
                        if bytesRead > bytesMax { break }
                    }
                } catch {}
            }
            group.addTask {
                let remaining = deadline - .now()
                try? await Task.sleep(for: .nanoseconds(max(0, remaining.nanoseconds)))
            }
            await group.next()
            group.cancelAll()
        }
    }
}
