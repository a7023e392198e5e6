import SlotDomain

/// The `event` table: each committed change event, numbered (`seq`), with the entry it came from, written in the
/// transaction of that entry, so that an event is on disk exactly when its change is. Compaction deletes an
/// entry's events with it; `meta.next_event_seq` then remembers where numbering goes on, so that no `seq` is
/// ever used twice, even once every event row is gone.
extension JournalStore {
    static let createEventTable = """
        CREATE TABLE IF NOT EXISTS event (
            seq INTEGER PRIMARY KEY,
            entry INTEGER NOT NULL,
            resource TEXT NOT NULL,
            type TEXT NOT NULL,
            body BLOB NOT NULL,
            members TEXT
        )
        """
    /// Compaction finds an entry's events through it.
    static let createEventEntryIndex = "CREATE INDEX IF NOT EXISTS event_entry ON event (entry)"
    static let insertEvent = "INSERT INTO event (seq, entry, resource, type, body, members) VALUES (?, ?, ?, ?, ?, ?)"
    /// Between the stored ids of a group event's members' resources (`|` may occur in an id, a space never).
    static let memberSeparator: Character = " "

    /// The newest event `seq` ever given: the newest row, or what compaction recorded when it deleted it.
    func lastEventSequence() throws(JournalError) -> UInt64 {
        let statement = try database.prepare("SELECT COALESCE(MAX(seq), 0) FROM event")
        let stored = try statement.step() ? UInt64(statement.int64(0)) : 0
        let next = UInt64(try meta("next_event_seq") ?? "1") ?? 1
        return max(stored, next - 1)
    }

    /// Inserts the events of `entries` (inside the caller's transaction) and returns them as committed, once the
    /// caller commits.
    func insertEvents(of entries: [QueuedEntry], encoder: Journal.EventEncoder?) throws(JournalError)
        -> [CommittedEvent]
    {
        var committed: [CommittedEvent] = []
        for queued in entries where !queued.events.isEmpty {
            guard let encoder else { preconditionFailure("events appended to a journal without an event encoder") }
            guard let insert = insertEventStatement else { throw .closed }
            for (offset, event) in queued.events.enumerated() {
                let seq = queued.firstEventSequence + UInt64(offset)
                let body = encoder(event, seq)
                insert.bind(1, Int64(seq))
                insert.bind(2, Int64(queued.sequence))
                insert.bind(3, event.resource.rawValue)
                insert.bind(4, event.kind.rawValue)
                insert.bind(5, body)
                let members = event.members.map(\.id.resource)
                // Unbound, the column is NULL: most events are about one resource.
                if !members.isEmpty {
                    insert.bind(6, members.map(\.rawValue).joined(separator: String(Self.memberSeparator)))
                }
                defer { insert.reset() }
                _ = try insert.step()
                committed.append(
                    CommittedEvent(
                        seq: seq, resource: event.resource, kind: event.kind, body: body, memberResources: members))
            }
        }
        return committed
    }

    /// Deletes the events of entries up to `sequence` (inside the caller's compaction transaction), first
    /// recording where numbering goes on.
    func deleteEvents(throughEntry sequence: UInt64) throws(JournalError) {
        let newest = try lastEventSequence()
        if newest > 0 { try setMeta("next_event_seq", String(newest + 1)) }
        let delete = try database.prepare("DELETE FROM event WHERE entry <= ?")
        delete.bind(1, Int64(sequence))
        _ = try delete.step()
    }
}
