import Foundation
import SlotDomain

/// Decoding the event ops: `subscribe`, `unsubscribe` and the webhook ops (docs/PROTOCOL.md, "Events and
/// subscriptions" and "Webhooks").
extension OperationDecoder {
    static let eventFields: [String: Set<String>] = [
        "subscribe": ["resources", "all", "types", "from_seq", "journal"],
        "unsubscribe": [],
        "create_webhook": ["url", "types", "resources", "secret"],
        "list_webhooks": [],
        "get_webhook": ["webhook"],
        "delete_webhook": ["webhook"],
        "list_deliveries": ["webhook", "state", "limit"],
        "redeliver": ["delivery"],
    ]

    static func eventOperation(_ op: String, _ reader: inout FieldReader) throws(WireError) -> Operation {
        switch op {
        case "subscribe": return .subscribe(try subscription(&reader))
        case "unsubscribe": return .unsubscribe
        case "create_webhook":
            let url = try reader.webhookURL()
            let types = try reader.eventTypes()
            let resources = try reader.resourceList("resources")
            let secret = try reader.webhookSecret()
            return .createWebhook(
                WebhookSpec(url: url, types: types, resources: resources, secret: secret, tenant: reader.tenant))
        case "list_webhooks": return .listWebhooks(tenant: reader.tenant)
        case "get_webhook": return .getWebhook(try reader.webhook(), tenant: reader.tenant)
        case "delete_webhook": return .deleteWebhook(try reader.webhook(), tenant: reader.tenant)
        case "list_deliveries":
            let webhook = try reader.webhook()
            let stateName = try reader.optionalString("state", maxBytes: 16)
            var state: DeliveryState?
            if let stateName {
                guard let named = DeliveryState(rawValue: stateName) else {
                    throw .invalid("state", "must be pending, failed, delivered or dead")
                }
                state = named
            }
            let limitMax = reader.limits.listedDeliveriesMax
            let limit = try reader.integer("limit", default: limitMax, range: 1...limitMax)
            return .listDeliveries(webhook, state: state, limit: limit, tenant: reader.tenant)
        case "redeliver":
            return .redeliver(
                delivery: Int64(try reader.required("delivery", range: 1...Int.max)), tenant: reader.tenant)
        default:
            preconditionFailure("op \(op) is not an event op")
        }
    }

    private static func subscription(_ reader: inout FieldReader) throws(WireError) -> SubscriptionRequest {
        let resources = try reader.resourceList("resources")
        let all = try reader.optionalBool("all")
        if all == false { throw .invalid("all", "must be true when given (or give resources instead)") }
        guard (resources != nil) != (all != nil) else {
            throw WireError(
                Rejection(.invalidRequest, "give exactly one of resources or \"all\": true", field: "resources"))
        }
        let types = try reader.eventTypes()
        let fromSeq = try reader.optionalInteger("from_seq", range: 0...Int.max).map { UInt64($0) }
        // A journal id is a UUID: 36 bytes; anything longer cannot be one.
        let journal = try reader.optionalString("journal", maxBytes: 36)
        return SubscriptionRequest(
            resources: resources, types: types, fromSeq: fromSeq, journal: journal,
            tenant: resources == nil ? reader.tenant : nil)
    }
}

extension FieldReader {
    /// `types`: 1 or more distinct event type names a client may ask for; nil when absent.
    mutating func eventTypes() throws(WireError) -> Set<ChangeEvent.Kind>? {
        guard let raw = value("types") else { return nil }
        let kinds = ChangeEvent.Kind.allCases
        guard let names = raw.stringList, !names.isEmpty, names.count <= kinds.count,
            Set(names).count == names.count
        else {
            throw .invalid("types", "must list 1 to \(kinds.count) distinct event types (leave it out for all)")
        }
        var types = Set<ChangeEvent.Kind>()
        for name in names {
            if name == EventJSON.laggedType {
                throw .invalid("types", "cannot name \(name): it is sent to any subscriber that falls behind")
            }
            guard let kind = ChangeEvent.Kind(rawValue: name) else {
                let known = kinds.map(\.rawValue).joined(separator: ", ")
                throw .invalid("types", "has an unknown event type '\(name)' (known: \(known))")
            }
            types.insert(kind)
        }
        return types
    }

    /// `url`: an absolute http or https URL with a host, at most `webhookURLMaxBytes`. Only its form is checked
    /// here; whether its host may be called (private networks) is the outbox's policy, when the webhook is made.
    mutating func webhookURL() throws(WireError) -> String {
        let url = try string("url", maxBytes: limits.webhookURLMaxBytes)
        let lowered = url.lowercased()
        let rest: Substring
        if lowered.hasPrefix("https://") {
            rest = url.dropFirst("https://".count)
        } else if lowered.hasPrefix("http://") {
            rest = url.dropFirst("http://".count)
        } else {
            throw .invalid("url", "must start with http:// or https://")
        }
        guard !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            throw .invalid("url", "must not contain spaces or control characters")
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !authority.hasPrefix(":") else { throw .invalid("url", "must name a host") }
        return url
    }

    /// `secret`: nil when absent (the server makes one). Given, `webhookSecretMinBytes` to
    /// `webhookSecretMaxBytes` of printable text; a `whsec_` secret must be base64 after the prefix, since it is
    /// the decoded bytes that sign (as Standard Webhooks libraries read it).
    mutating func webhookSecret() throws(WireError) -> String? {
        guard let secret = try optionalString("secret", maxBytes: limits.webhookSecretMaxBytes) else { return nil }
        let minBytes = limits.webhookSecretMinBytes
        let maxBytes = limits.webhookSecretMaxBytes
        guard secret.utf8.count >= minBytes else {
            throw .invalid("secret", "must be \(minBytes) to \(maxBytes) bytes (leave it out to have one made)")
        }
        guard !secret.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .invalid("secret", "must not contain control characters")
        }
        let prefix = "whsec_"
        if secret.hasPrefix(prefix), Data(base64Encoded: String(secret.dropFirst(prefix.count))) == nil {
            throw .invalid("secret", "must be base64 after whsec_")
        }
        return secret
    }

    mutating func webhook() throws(WireError) -> WebhookID {
        guard let id = WebhookID(try string("webhook", maxBytes: 64)) else {
            throw .invalid("webhook", "must be a webhook id such as wh_0123456789abcdef")
        }
        return id
    }
}
