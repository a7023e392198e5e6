import Foundation
import SlotDomain
import Testing

@testable import SlotWire

/// The replies of `subscribe`, `unsubscribe` and the webhook ops, byte for byte, and the codes they may refuse
/// with.
@Suite struct EventReplyTests {
    static func at(_ text: String) -> Instant { RFC3339.parse(text)!.instant }

    static func reply(_ body: ReplyBody, bytesMax: Int = .max) -> String? {
        ReplyEncoder.success(id: .integer(1), body, bytesMax: bytesMax).map { String(decoding: $0, as: UTF8.self) }
    }

    static let id = WebhookID("wh_00ff00ff00ff00ff")!

    static let created = WebhookView(
        id: id, url: "https://hooks.example.com/slotd", types: [.bookingReminder, .bookingHeld],
        resources: [ResourceID("room-a")!.inTenant(TenantID("acme")!)], tenant: TenantID("acme")!,
        createdAt: at("2027-01-11T08:00:00Z"), secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        deliveries: .init(delivered: 0, pending: 0, failed: 0, dead: 0),
        breaker: .init(state: .closed, consecutiveFailures: 0, openedAt: nil))

    @Test func subscriptionAndUnsubscribe() {
        #expect(
            Self.reply(.subscription(fromSeq: 41, headSeq: 57, journal: "j-1"))
                == #"{"id":1,"ok":true,"subscription":{"from_seq":41,"head_seq":57,"journal":"j-1"}}"# + "\n")
        #expect(
            Self.reply(.unsubscribed(lastSeq: 57)) == #"{"id":1,"ok":true,"unsubscribed":{"last_seq":57}}"# + "\n")
    }

    @Test func aCreatedWebhookShowsItsSecretOnce() {
        #expect(
            Self.reply(.webhook(Self.created))
                == #"{"id":1,"ok":true,"webhook":{"id":"wh_00ff00ff00ff00ff","url":"https://hooks.example.com/slotd","types":["booking.held","booking.reminder"],"resources":["room-a"],"tenant":"acme","created_at":"2027-01-11T08:00:00Z","secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw","deliveries":{"delivered":0,"pending":0,"failed":0,"dead":0},"breaker":{"state":"closed","consecutive_failures":0}}}"#
                + "\n")
        var read = Self.created
        read.secret = nil
        read.types = nil
        read.resources = nil
        read.tenant = nil
        read.deliveries = .init(delivered: 120, pending: 3, failed: 2, dead: 1)
        read.breaker = .init(state: .halfOpen, consecutiveFailures: 5, openedAt: Self.at("2027-01-11T09:00:00Z"))
        #expect(
            Self.reply(.webhooks([read]))
                == #"{"id":1,"ok":true,"webhooks":[{"id":"wh_00ff00ff00ff00ff","url":"https://hooks.example.com/slotd","types":null,"resources":null,"created_at":"2027-01-11T08:00:00Z","deliveries":{"delivered":120,"pending":3,"failed":2,"dead":1},"breaker":{"state":"half_open","consecutive_failures":5,"opened_at":"2027-01-11T09:00:00Z"}}]}"#
                + "\n")
        #expect(
            Self.reply(.webhookDeleted(Self.id))
                == #"{"id":1,"ok":true,"deleted":{"webhook":"wh_00ff00ff00ff00ff"}}"# + "\n")
    }

    static let failed = DeliveryView(
        id: 17, webhook: id, eventSeq: 41, eventType: "booking.canceled", state: .failed, attempts: 3,
        createdAt: at("2027-01-11T08:00:00Z"), nextAttemptAt: at("2027-01-11T08:01:10Z"),
        lastAttemptAt: at("2027-01-11T08:00:30Z"), lastStatus: 500, lastError: "status 500")

    @Test func deliveries() {
        let delivered = DeliveryView(
            id: 18, webhook: Self.id, eventSeq: 42, eventType: "booking.held", state: .delivered, attempts: 1,
            createdAt: Self.at("2027-01-11T08:00:00Z"), lastAttemptAt: Self.at("2027-01-11T08:00:01Z"), lastStatus: 204)
        #expect(
            Self.reply(.deliveries([Self.failed, delivered], truncated: true))
                == #"{"id":1,"ok":true,"deliveries":[{"id":17,"webhook":"wh_00ff00ff00ff00ff","event_seq":41,"event_type":"booking.canceled","state":"failed","attempts":3,"created_at":"2027-01-11T08:00:00Z","next_attempt_at":"2027-01-11T08:01:10Z","last_attempt_at":"2027-01-11T08:00:30Z","last_status":500,"last_error":"status 500"},{"id":18,"webhook":"wh_00ff00ff00ff00ff","event_seq":42,"event_type":"booking.held","state":"delivered","attempts":1,"created_at":"2027-01-11T08:00:00Z","last_attempt_at":"2027-01-11T08:00:01Z","last_status":204}],"truncated":true}"#
                + "\n")
        let pending = DeliveryView(
            id: 19, webhook: Self.id, eventSeq: 43, eventType: "booking.reminder", state: .pending, attempts: 0,
            createdAt: Self.at("2027-01-11T08:00:00Z"), nextAttemptAt: Self.at("2027-01-11T08:00:00Z"))
        #expect(
            Self.reply(.delivery(pending))
                == #"{"id":1,"ok":true,"delivery":{"id":19,"webhook":"wh_00ff00ff00ff00ff","event_seq":43,"event_type":"booking.reminder","state":"pending","attempts":0,"created_at":"2027-01-11T08:00:00Z","next_attempt_at":"2027-01-11T08:00:00Z"}}"#
                + "\n")
    }

    /// Lists are bounded like every reply: past the limit the encoder stops and the server answers
    /// `reply_too_large`.
    @Test func longListsStopAtTheReplyLimit() {
        let many = Array(repeating: Self.failed, count: 1_000)
        #expect(ReplyBody.deliveries(many, truncated: false).mayBeLarge)
        #expect(ReplyBody.webhooks([Self.created]).mayBeLarge)
        #expect(Self.reply(.deliveries(many, truncated: false), bytesMax: 10_000) == nil)
        #expect(Self.reply(.deliveries(many, truncated: false)) != nil)
    }

    @Test func errorCodes() {
        let expired = WireError.cursorExpired(fromSeq: 3, oldestSeq: 120)
        #expect(
            String(decoding: ReplyEncoder.failure(id: .integer(1), expired), as: UTF8.self)
                == #"{"id":1,"ok":false,"error":{"code":"cursor_expired","message":"from_seq 3 is too old: the oldest event still kept is 120; reread the state you need, then subscribe without from_seq","oldest_seq":"120"}}"#
                + "\n")
        #expect(WireError.unknownWebhook(Self.id).code == "unknown_webhook")
        #expect(WireError.unknownWebhook(Self.id).details == ["webhook": "wh_00ff00ff00ff00ff"])
        #expect(WireError.unknownDelivery(17).code == "unknown_delivery")
        #expect(WireError.unknownDelivery(17).details == ["delivery": "17"])
        #expect(WireError.tooManyWebhooks(limit: 100).code == "too_many_webhooks")
        #expect(WireCode.privateWebhookURL.rawValue == "private_webhook_url")
    }
}
