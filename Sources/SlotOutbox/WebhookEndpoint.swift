import Foundation
import SlotDomain

/// A webhook endpoint: where events go, signed with what, and which events. Its `cursor` is the last event `seq`
/// the dispatcher has considered for it: events after the cursor are read again after a crash, and those up to it
/// already have their deliveries in the outbox.
public struct WebhookEndpoint: Hashable, Sendable {
    /// `wh_` and 16 lowercase hex digits from the system's random generator.
    public var id: String
    public var url: String
    /// The signing secret (`whsec_<base64>`); shown to its creator once, kept here to sign every delivery.
    public var secret: String
    /// The event types it receives; nil for all.
    public var types: [ChangeEvent.Kind]?
    /// The resources whose events it receives (as stored: `tenant|name` in a tenant); nil for all.
    public var resources: [ResourceID]?
    /// The tenant it belongs to: it receives only that tenant's events. Nil for an endpoint in no tenant (an
    /// admin's), which receives every tenant's.
    public var tenant: TenantID?
    public var createdAt: Instant
    /// The last event seq considered for it.
    public var cursor: UInt64

    public init(
        id: String, url: String, secret: String, types: [ChangeEvent.Kind]?, resources: [ResourceID]?,
        tenant: TenantID?, createdAt: Instant, cursor: UInt64
    ) {
        self.id = id
        self.url = url
        self.secret = secret
        self.types = types
        self.resources = resources
        self.tenant = tenant
        self.createdAt = createdAt
        self.cursor = cursor
    }

    /// Whether an event of `kind` about `resource` (as stored, with its tenant; for a group event, its lead's),
    /// whose group members are on `memberResources`, goes to this endpoint: as for a subscription, a group event
    /// goes to an endpoint that names any member's resource.
    public func accepts(_ kind: ChangeEvent.Kind, resource: ResourceID, memberResources: [ResourceID] = []) -> Bool {
        if let tenant, resource.tenant != tenant { return false }
        if let types, !types.contains(kind) { return false }
        if let resources, !resources.contains(resource), !memberResources.contains(where: resources.contains) {
            return false
        }
        return true
    }

    /// A new endpoint id: `wh_` and 16 lowercase hex digits.
    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return "wh_" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Bytes of a generated signing secret: 24 bytes (192 bits), within the 24 to 64 Standard Webhooks suggests.
    static let generatedSecretBytes = 24

    /// A new signing secret, `whsec_` and the base64 of `generatedSecretBytes` system-random bytes, as Standard
    /// Webhooks libraries expect it.
    public static func generateSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<generatedSecretBytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "whsec_" + Data(bytes).base64EncodedString()
    }
}
