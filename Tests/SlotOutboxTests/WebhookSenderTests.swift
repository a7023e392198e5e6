import Foundation
import SlotOutbox
import SlotTesting
import Testing

/// `WebhookSender` against a real HTTP receiver (`WebhookReceiver`) that verifies signatures independently.
/// Serialized: the timing checks (a hang ends at the timeout, a refusal comes at once) hold on a loaded 2-core
/// machine only when the tests do not compete with each other as well.
@Suite(.serialized, .timeLimit(.minutes(1))) struct WebhookSenderTests {
    static let secret = "whsec_" + Data((0..<24).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    static let body = Array(#"{"seq":7,"type":"booking.confirmed","resource":"room-1"}"#.utf8)

    /// The sender's URL for the receiver; loopback, so the sender allows private addresses unless told otherwise.
    static func url(_ receiver: WebhookReceiver, path: String = "/hooks/slotd") throws -> WebhookURL {
        try WebhookURLPolicy.check("http://127.0.0.1:\(receiver.port)\(path)", allowPrivate: true).get()
    }

    static func delivery(
        to url: WebhookURL, id: String = "msg_\(UUID().uuidString)", body: [UInt8] = body, secret: String = secret
    ) throws -> OutgoingDelivery {
        OutgoingDelivery(
            url: url, messageID: id, timestampSeconds: Int64(Date().timeIntervalSince1970), body: body,
            signer: try #require(WebhookSigner(secret: secret)))
    }

    /// Runs `body` with a receiver in `mode` and a sender, and stops both whatever happens.
    static func withReceiver(
        mode: String = "ok", _ configuration: WebhookSender.Configuration = .init(allowPrivate: true),
        _ body: (WebhookReceiver, WebhookSender) async throws -> Void
    ) async throws {
        let receiver = try await WebhookReceiver(secret: secret, mode: mode)
        defer { receiver.stop() }
        let sender = WebhookSender(configuration: configuration)
        do {
            try await body(receiver, sender)
        } catch {
            try await sender.shutdown()
            throw error
        }
        try await sender.shutdown()
    }

    @Test func aSignedDeliveryIsVerifiedByTheReferenceImplementation() async throws {
        try await Self.withReceiver { receiver, sender in
            let delivery = try Self.delivery(to: Self.url(receiver), id: "msg_signed")
            #expect(await sender.send(delivery) == .delivered(status: 204))
            let received = receiver.received()
            try #require(received.count == 1)
            #expect(received[0].verified, "\(received[0].error ?? "")")
            #expect(received[0].id == "msg_signed")
            #expect(received[0].timestamp == String(delivery.timestampSeconds))
            #expect(Array(received[0].body.utf8) == Self.body)
            #expect(received[0].userAgent == "slotd")
            #expect(received[0].contentType == "application/json")
        }
    }

    /// The control for the test above: the verifier does refuse a signature made with another secret.
    @Test func theReferenceImplementationRefusesAnotherSecret() async throws {
        try await Self.withReceiver { receiver, sender in
            let other = "whsec_" + Data("another key".utf8).base64EncodedString()
            let outcome = try await sender.send(Self.delivery(to: Self.url(receiver), secret: other))
            #expect(outcome == .delivered(status: 204))
            let received = receiver.received()
            try #require(received.count == 1)
            #expect(!received[0].verified)
            #expect(received[0].error == "No matching signature found")
        }
    }

    @Test func aServerErrorIsAFailedAttemptWithItsStatus() async throws {
        try await Self.withReceiver(mode: "fail") { receiver, sender in
            let outcome = try await sender.send(Self.delivery(to: Self.url(receiver)))
            #expect(outcome == .failed(status: 500, reason: "status 500"))
            // Then the receiver recovers: the same sender (and its pooled connection) delivers.
            try receiver.setMode("ok")
            let recovered = try await sender.send(Self.delivery(to: Self.url(receiver)))
            #expect(recovered == .delivered(status: 204))
            #expect(receiver.received().count == 2)
        }
    }

    @Test func aReceiverThatNeverAnswersTimesOutAtTheLimit() async throws {
        try await Self.withReceiver(mode: "hang", .init(requestTimeoutSeconds: 1, allowPrivate: true)) {
            receiver, sender in
            let clock = ContinuousClock()
            let start = clock.now
            let outcome = try await sender.send(Self.delivery(to: Self.url(receiver)))
            let elapsed = clock.now - start
            #expect(outcome == .failed(status: nil, reason: "timed out after 1 s"))
            #expect(elapsed >= .milliseconds(900))
            #expect(elapsed < .seconds(4), "\(elapsed)")
            #expect(receiver.received().count == 1)
        }
    }

    @Test func aSlowAnswerWithinTheLimitIsDelivered() async throws {
        try await Self.withReceiver(mode: "slow 0.5", .init(requestTimeoutSeconds: 5, allowPrivate: true)) {
            receiver, sender in
            let outcome = try await sender.send(Self.delivery(to: Self.url(receiver)))
            #expect(outcome == .delivered(status: 204))
        }
    }

    /// A refused connection is an answer: it comes back at once, not after retrying until the timeout.
    @Test func aRefusedConnectionFailsAtOnce() async throws {
        let receiver = try await WebhookReceiver(secret: Self.secret)
        let url = try Self.url(receiver)
        receiver.stop()  // nobody listens on its port now
        let sender = WebhookSender(configuration: .init(requestTimeoutSeconds: 10, allowPrivate: true))
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = try await sender.send(Self.delivery(to: url))
        let elapsed = clock.now - start
        try await sender.shutdown()
        #expect(outcome == .failed(status: nil, reason: "connection refused"))
        #expect(elapsed < .seconds(3), "\(elapsed)")
    }

    @Test func aBodyOverTheLimitIsNotSent() async throws {
        try await Self.withReceiver(.init(bodyBytesMax: 100, allowPrivate: true)) { receiver, sender in
            let url = try Self.url(receiver)
            let tooBig = try Self.delivery(to: url, body: Array(repeating: UInt8(ascii: "x"), count: 101))
            #expect(await sender.send(tooBig) == .failed(status: nil, reason: "body over 100 bytes"))
            #expect(receiver.received().isEmpty)
            let atTheLimit = try Self.delivery(to: url, body: Array(repeating: UInt8(ascii: "x"), count: 100))
            #expect(await sender.send(atTheLimit) == .delivered(status: 204))
            #expect(receiver.received().map(\.body.utf8.count) == [100])
        }
    }

    /// The receiver answers 200 and then sends a body that never ends. Past `responseBytesMax` the sender stops
    /// reading and returns at once; with a limit above what comes, it reads until the request's deadline, and
    /// not longer.
    @Test func theAnswerIsReadUpToItsLimitOnly() async throws {
        let clock = ContinuousClock()
        try await Self.withReceiver(mode: "drip 5000", .init(responseBytesMax: 1000, allowPrivate: true)) {
            receiver, sender in
            let start = clock.now
            let outcome = try await sender.send(Self.delivery(to: Self.url(receiver)))
            #expect(outcome == .delivered(status: 200))
            #expect(clock.now - start < .seconds(3))
        }
        try await Self.withReceiver(
            mode: "drip 5000", .init(requestTimeoutSeconds: 1, responseBytesMax: 100_000, allowPrivate: true)
        ) { receiver, sender in
            let start = clock.now
            let outcome = try await sender.send(Self.delivery(to: Self.url(receiver)))
            #expect(outcome == .delivered(status: 200))
            let elapsed = clock.now - start
            #expect(elapsed >= .milliseconds(900))
            #expect(elapsed < .seconds(4), "\(elapsed)")
        }
    }

    /// A redirect would send the event where the URL policy never looked: a 3xx is a failure, not followed.
    @Test func redirectsAreNotFollowed() async throws {
        try await Self.withReceiver(mode: "redirect") { receiver, sender in
            let outcome = try await sender.send(Self.delivery(to: Self.url(receiver)))
            #expect(outcome == .failed(status: 307, reason: "status 307"))
            #expect(receiver.received().count == 1)
        }
    }
}
