import SlotDomain

extension ServerState {
    /// Every entry of `journal` applied to an empty state through `apply`, the path live requests take: what a
    /// server without snapshots rebuilds at start. Stops at `sequence` when given. Call before the journal's writer
    /// starts (or on a journal no server is using).
    public static func replaying(_ journal: Journal, through sequence: UInt64 = .max, limits: DomainLimits)
        throws -> ServerState
    {
        var state = ServerState(limits: limits)
        try journal.replay { sequenced in
            guard sequenced.sequence <= sequence else { return }
            do throws(ApplyFailure) {
                try state.apply(sequenced.entry, sequence: sequenced.sequence)
            } catch {
                throw JournalError.corruptRecord(sequence: sequenced.sequence, reason: error.description)
            }
        }
        return state
    }
}
