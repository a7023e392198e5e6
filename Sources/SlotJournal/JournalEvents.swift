import SlotDomain

/// An entry waiting for the writer, with the change events it yields and the `seq` of the first of them: events
/// are numbered as their entry is, so that their order is the journal's.
struct QueuedEntry: Sendable {
    var sequenced: SequencedEntry
    var events: ChangeEvents
    var firstEventSequence: UInt64

    var sequence: UInt64 { sequenced.sequence }
    var entry: JournalEntry { sequenced.entry }
}

/// A change event as the journal stores it: committed with its entry, numbered, and encoded once (as the stream
/// and webhooks send it) by the encoder the server gives the journal.
public struct CommittedEvent: Hashable, Sendable {
    /// Its place in the one sequence of events: one more than the event before, never reused.
    public var seq: UInt64
    public var resource: ResourceID
    /// For a group event, its members' resources (the lead's among them): a subscriber to any of them gets it.
    public var memberResources: [ResourceID]
    public var kind: ChangeEvent.Kind
    /// The event as sent (a JSON object), including its `seq`.
    public var body: [UInt8]

    public init(
        seq: UInt64, resource: ResourceID, kind: ChangeEvent.Kind, body: [UInt8], memberResources: [ResourceID] = []
    ) {
        self.seq = seq
        self.resource = resource
        self.memberResources = memberResources
        self.kind = kind
        self.body = body
    }

    /// Whether the event is about `resources`: its own, or one of its group's members'.
    public func isAbout(_ resources: Set<ResourceID>) -> Bool {
        resources.contains(resource) || memberResources.contains { resources.contains($0) }
    }
}

extension Journal {
    /// Encodes an event with its `seq` into the bytes stored and sent. Given by the server (the wire format lives
    /// above this module); called on the writer's thread as each batch is written.
    public typealias EventEncoder = @Sendable (_ event: ChangeEvent, _ seq: UInt64) -> [UInt8]

    /// Told, after each commit that wrote events, the events it wrote, in order. Called on the writer's thread
    /// between commits, after the batch's replies were released: it must be quick (hand them on, no I/O).
    public typealias EventObserver = @Sendable (_ events: [CommittedEvent]) -> Void
}
