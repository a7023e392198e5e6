import SlotDomain
import SlotJournal

/// Which events a subscription or a webhook gets: its resources (nil: all) and types (nil: all), never beyond the
/// tenant of whoever asked.
struct EventFilter: Sendable, Hashable {
    /// The resources named, already in the asker's tenant; nil for `"all": true`.
    var resources: Set<ResourceID>?
    var types: Set<ChangeEvent.Kind>?
    /// Whether the asker is confined to one tenant (`tenant`; nil is the resources in no tenant), or sees every
    /// tenant's events (an operator or admin without a tenant, or anyone when authentication is off).
    var confinedToTenant: Bool
    var tenant: TenantID?

    func matches(_ event: CommittedEvent) -> Bool {
        if confinedToTenant, event.resource.tenant != tenant { return false }
        if let resources, !resources.contains(event.resource) { return false }
        if let types, !types.contains(event.kind) { return false }
        return true
    }
}
