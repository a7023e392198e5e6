import SlotDomain
import SlotJournal
import SlotWire

/// Which committed events a subscription gets, as `SubscriptionRequest.matches` says of change events: its types
/// (nil: all), and its resources (a group event's members count) or, without resources, its tenant's (nil: every
/// tenant's, which only a request that may name any tenant gets).
struct EventFilter: Sendable, Hashable {
    var resources: Set<ResourceID>?
    var types: Set<ChangeEvent.Kind>?
    var tenant: TenantID?

    init(_ request: SubscriptionRequest) {
        resources = request.resources.map(Set.init)
        types = request.types
        tenant = request.tenant
    }

    func matches(_ event: CommittedEvent) -> Bool {
        if let types, !types.contains(event.kind) { return false }
        guard let resources else {
            guard let tenant else { return true }
            return event.resource.tenant == tenant
        }
        return event.isAbout(resources)
    }
}
