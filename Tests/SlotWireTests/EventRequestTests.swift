import SlotDomain
import Testing

@testable import SlotWire

/// `subscribe`, `unsubscribe` and the webhook ops: what they decode to, what they refuse (naming the field),
/// and their replies byte for byte.
@Suite struct EventRequestTests {
    let decoder = RequestDecoder()
    static let acme = TenantID("acme")!
    static let acmeClient = RequestScope(
        tenant: acme, mayNameTenant: false, signer: "front", customer: nil, keyNamespace: nil)

    func operation(_ line: String, scope: RequestScope = .anonymous) -> Operation? {
        if case .success(let request) = decoder.decode(Array(line.utf8), scope: scope) { return request.operation }
        return nil
    }

    func error(_ line: String, scope: RequestScope = .anonymous) -> WireError? {
        if case .failure(let failure) = decoder.decode(Array(line.utf8), scope: scope) { return failure.error }
        return nil
    }

    func subscription(_ line: String, scope: RequestScope = .anonymous) -> SubscriptionRequest? {
        if case .subscribe(let request)? = operation(line, scope: scope) { return request }
        return nil
    }

    @Test func subscribeDecodesResourcesTypesAndCursor() throws {
        let request = try #require(
            subscription(
                #"{"op":"subscribe","resources":["dr-smith","dr-jones"],"types":["booking.held","booking.reminder"],"from_seq":41}"#
            ))
        #expect(request.resources == [ResourceID("dr-smith")!, ResourceID("dr-jones")!])
        #expect(request.types == [.bookingHeld, .bookingReminder])
        #expect(request.fromSeq == 41)
        let all = try #require(subscription(#"{"op":"subscribe","all":true,"from_seq":0}"#))
        #expect(all.resources == nil && all.types == nil && all.fromSeq == 0 && all.tenant == nil)
        #expect(subscription(#"{"op":"subscribe","all":true}"#)?.fromSeq == nil)
        let journal = "73f331b3-ae54-44c1-a8bf-904b110d77a5"
        #expect(
            subscription(#"{"op":"subscribe","all":true,"from_seq":9,"journal":"\#(journal)"}"#)?.journal == journal)
        #expect(
            error(#"{"op":"subscribe","all":true,"journal":"\#(journal)x"}"#)?.details["field"] == "journal", "no UUID")
    }

    /// A tenant's token reads resource names in its tenant, and its `all` covers only that tenant.
    @Test func aTenantsSubscriptionStaysInItsTenant() throws {
        let named = try #require(subscription(#"{"op":"subscribe","resources":["room-a"]}"#, scope: Self.acmeClient))
        #expect(named.resources == [ResourceID("room-a")!.inTenant(Self.acme)])
        let all = try #require(subscription(#"{"op":"subscribe","all":true}"#, scope: Self.acmeClient))
        #expect(all.tenant == Self.acme)
        #expect(error(#"{"op":"subscribe","all":true,"tenant":"other"}"#, scope: Self.acmeClient)?.code == "forbidden")
        // A token without a tenant names one to follow it.
        #expect(subscription(#"{"op":"subscribe","all":true,"tenant":"acme"}"#)?.tenant == Self.acme)

        let zone = TimeZones.zone("UTC")
        let at = Instant(secondsSinceEpoch: 0)
        let inAcme = ChangeEvent(
            kind: .resourceCreated, at: at, resource: ResourceID("room-a")!.inTenant(Self.acme), zone: zone)
        let elsewhere = ChangeEvent(kind: .resourceCreated, at: at, resource: ResourceID("room-a")!, zone: zone)
        #expect(all.matches(inAcme) && !all.matches(elsewhere))
        #expect(named.matches(inAcme) && !named.matches(elsewhere))
        #expect(SubscriptionRequest(resources: nil, types: nil, fromSeq: nil).matches(elsewhere))
    }

    @Test func typesFilterAndGroupsMatchThroughTheirMembers() throws {
        let zone = TimeZones.zone("UTC")
        let at = Instant(secondsSinceEpoch: 0)
        let lead = BookingID(resource: ResourceID("a")!, sequence: 1)
        let member = BookingSummary(
            id: BookingID(resource: ResourceID("b")!, sequence: 2),
            range: TimeRange(start: at, end: Instant(secondsSinceEpoch: 900)),
            customer: "c", state: .confirmed, expiresAt: nil, group: GroupID(lead: lead))
        let group = ChangeEvent(
            kind: .groupConfirmed, at: at, resource: lead.resource, zone: zone, group: GroupID(lead: lead),
            members: [member])
        let onB = SubscriptionRequest(resources: [ResourceID("b")!], types: nil, fromSeq: nil)
        #expect(onB.matches(group))
        let heldOnly = SubscriptionRequest(resources: [ResourceID("b")!], types: [.bookingHeld], fromSeq: nil)
        #expect(!heldOnly.matches(group))
    }

    @Test(
        arguments: [
            (#"{"op":"subscribe"}"#, "resources", "give exactly one of resources or \"all\": true"),
            (
                #"{"op":"subscribe","all":true,"resources":["a"]}"#, "resources",
                "give exactly one of resources or \"all\": true"
            ),
            (#"{"op":"subscribe","all":false}"#, "all", "all must be true when given (or give resources instead)"),
            (#"{"op":"subscribe","resources":[]}"#, "resources", "resources must list 1 to 50 distinct resource ids"),
            (
                #"{"op":"subscribe","all":true,"types":["booking.held","booking.held"]}"#, "types",
                "types must list 1 to 16 distinct event types (leave it out for all)"
            ),
            (
                #"{"op":"subscribe","all":true,"types":["stream.lagged"]}"#, "types",
                "types cannot name stream.lagged: it is sent to any subscriber that falls behind"
            ),
            (#"{"op":"subscribe","all":true,"from_seq":-1}"#, "from_seq", nil),
            (#"{"op":"subscribe","all":true,"from_seq":1.5}"#, "from_seq", nil),
            (#"{"op":"subscribe","all":true,"from":3}"#, "from", "from is not a field of subscribe"),
            (#"{"op":"unsubscribe","all":true}"#, "all", "all is not a field of unsubscribe"),
        ] as [(String, String, String?)])
    func subscribeRefusals(line: String, field: String, message: String?) throws {
        let refusal = try #require(error(line))
        #expect(refusal.code == "invalid_request")
        #expect(refusal.details["field"] == field)
        if let message { #expect(refusal.message == message) }
    }

    @Test func unknownTypesAreNamed() throws {
        let refusal = try #require(error(#"{"op":"subscribe","all":true,"types":["booking.lost"]}"#))
        #expect(refusal.message.hasPrefix("types has an unknown event type 'booking.lost' (known: booking.held, "))
    }

    @Test func webhookOpsDecode() throws {
        guard
            case .createWebhook(let spec)? = operation(
                #"{"op":"create_webhook","url":"https://hooks.example.com/slotd?x=1","types":["booking.canceled"],"resources":["room-a"],"secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}"#,
                scope: Self.acmeClient)
        else {
            Issue.record("not create_webhook")
            return
        }
        #expect(spec.url == "https://hooks.example.com/slotd?x=1")
        #expect(spec.types == [.bookingCanceled])
        #expect(spec.resources == [ResourceID("room-a")!.inTenant(Self.acme)])
        #expect(spec.secret == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(spec.tenant == Self.acme)
        guard case .createWebhook(let plain)? = operation(#"{"op":"create_webhook","url":"http://10.0.0.7:8080"}"#)
        else {
            Issue.record("not create_webhook")
            return
        }
        #expect(plain.types == nil && plain.resources == nil && plain.secret == nil && plain.tenant == nil)

        let id = WebhookID("wh_0123456789abcdef")!
        guard case .listWebhooks(let tenant)? = operation(#"{"op":"list_webhooks"}"#, scope: Self.acmeClient),
            case .getWebhook(id, nil)? = operation(#"{"op":"get_webhook","webhook":"wh_0123456789abcdef"}"#),
            case .deleteWebhook(id, Self.acme)? = operation(
                #"{"op":"delete_webhook","webhook":"wh_0123456789abcdef"}"#, scope: Self.acmeClient),
            case .listDeliveries(id, .dead, 20, nil)? = operation(
                #"{"op":"list_deliveries","webhook":"wh_0123456789abcdef","state":"dead","limit":20}"#),
            case .listDeliveries(id, nil, 1_000, nil)? = operation(
                #"{"op":"list_deliveries","webhook":"wh_0123456789abcdef"}"#),
            case .redeliver(17, nil)? = operation(#"{"op":"redeliver","delivery":17}"#),
            case .unsubscribe? = operation(#"{"op":"unsubscribe"}"#)
        else {
            Issue.record("a webhook op decoded wrong")
            return
        }
        #expect(tenant == Self.acme)
    }

    @Test(
        arguments: [
            (#"{"op":"create_webhook"}"#, "url", "url is required and must be a non-empty string"),
            (#"{"op":"create_webhook","url":"ftp://example.com"}"#, "url", "url must start with http:// or https://"),
            (#"{"op":"create_webhook","url":"https://"}"#, "url", "url must name a host"),
            (#"{"op":"create_webhook","url":"https://:80/x"}"#, "url", "url must name a host"),
            (
                #"{"op":"create_webhook","url":"https://example.com/a b"}"#, "url",
                "url must not contain spaces or control characters"
            ),
            (
                #"{"op":"create_webhook","url":"https://example.com","secret":"short"}"#, "secret",
                "secret must be 24 to 256 bytes (leave it out to have one made)"
            ),
            (
                #"{"op":"create_webhook","url":"https://example.com","secret":"whsec_not base64 at all, no!!"}"#,
                "secret", "secret must be base64 after whsec_"
            ),
            (
                #"{"op":"create_webhook","url":"https://example.com","types":[]}"#, "types",
                "types must list 1 to 16 distinct event types (leave it out for all)"
            ),
            (
                #"{"op":"get_webhook","webhook":"wh_0123456789ABCDEF"}"#, "webhook",
                "webhook must be a webhook id such as wh_0123456789abcdef"
            ),
            (
                #"{"op":"delete_webhook","webhook":"wh_123"}"#, "webhook",
                "webhook must be a webhook id such as wh_0123456789abcdef"
            ),
            (
                #"{"op":"list_deliveries","webhook":"wh_0123456789abcdef","state":"lost"}"#, "state",
                "state must be pending, failed, delivered or dead"
            ),
            (
                #"{"op":"list_deliveries","webhook":"wh_0123456789abcdef","limit":1001}"#, "limit",
                "limit must be a whole number between 1 and 1000"
            ),
            (#"{"op":"redeliver","delivery":0}"#, "delivery", nil),
            (#"{"op":"redeliver","delivery":"17"}"#, "delivery", nil),
        ] as [(String, String, String?)])
    func webhookRefusals(line: String, field: String, message: String?) throws {
        let refusal = try #require(error(line))
        #expect(refusal.code == "invalid_request")
        #expect(refusal.details["field"] == field)
        if let message { #expect(refusal.message == message) }
    }

    @Test func urlsAndSecretsAreBoundedByTheirNamedLimits() throws {
        let limits = DomainLimits.standard
        let base = "https://example.com/"
        let longest = base + String(repeating: "a", count: limits.webhookURLMaxBytes - base.utf8.count)
        #expect(operation(#"{"op":"create_webhook","url":"\#(longest)"}"#) != nil)
        #expect(error(#"{"op":"create_webhook","url":"\#(longest)a"}"#)?.details["field"] == "url")
        let secret = String(repeating: "s", count: limits.webhookSecretMinBytes)
        #expect(operation(#"{"op":"create_webhook","url":"\#(base)","secret":"\#(secret)"}"#) != nil)
        #expect(error(#"{"op":"create_webhook","url":"\#(base)","secret":"\#(secret.dropLast())"}"#) != nil)
        let longSecret = String(repeating: "s", count: limits.webhookSecretMaxBytes)
        #expect(operation(#"{"op":"create_webhook","url":"\#(base)","secret":"\#(longSecret)"}"#) != nil)
        #expect(error(#"{"op":"create_webhook","url":"\#(base)","secret":"\#(longSecret)s"}"#) != nil)
    }

    @Test(arguments: [
        #"{"op":"subscribe","all":true}"#, #"{"op":"unsubscribe"}"#, #"{"op":"list_webhooks"}"#,
        #"{"op":"redeliver","delivery":1}"#,
    ])
    func eventOpsStayOutOfBatches(op: String) throws {
        let refusal = try #require(error(#"{"op":"batch","atomic":true,"ops":[\#(op)]}"#))
        #expect(refusal.code == "batch_refused")
        #expect(refusal.causes.first?.message.hasSuffix("cannot be part of a batch") == true, "\(refusal)")
        guard case .batch(let batch)? = operation(#"{"op":"batch","atomic":false,"ops":[\#(op)]}"#),
            case .failure(let cause) = batch.items.first?.request
        else {
            Issue.record("the batch's op was not refused")
            return
        }
        #expect(cause.details["field"] == "op")
    }

    @Test func namesAndJournalCosts() throws {
        let lines = [
            (#"{"op":"subscribe","all":true}"#, "subscribe"), (#"{"op":"unsubscribe"}"#, "unsubscribe"),
            (#"{"op":"create_webhook","url":"https://e.com"}"#, "create_webhook"),
            (#"{"op":"list_webhooks"}"#, "list_webhooks"),
            (#"{"op":"get_webhook","webhook":"wh_0123456789abcdef"}"#, "get_webhook"),
            (#"{"op":"delete_webhook","webhook":"wh_0123456789abcdef"}"#, "delete_webhook"),
            (#"{"op":"list_deliveries","webhook":"wh_0123456789abcdef"}"#, "list_deliveries"),
            (#"{"op":"redeliver","delivery":3}"#, "redeliver"),
        ]
        for (line, name) in lines {
            let decoded = try #require(operation(line), "\(line)")
            #expect(decoded.name == name)
            #expect(decoded.journalEntriesMax == 0)
        }
    }
}
