import SlotDomain

/// The `external_busy` layer's changes (decision 0031), for the calendar sync: a pull's busy times go through the
/// same decide–commit–apply step as every other change, so the journal holds them and replay brings them back.
extension ResourceActor {
    /// Makes `ranges` (nil: none, the link removed) the resource's busy times from `link`. Returns the sequence of
    /// the entry written, nil when the layer was already so (nothing written), or the refusal (too many stretches:
    /// the layer stays as it was).
    public func replaceExternalBusy(link: CalendarLinkID, ranges: [TimeRange]?) async -> Result<UInt64?, Rejection> {
        if exclusiveHolder != nil { await waitTurn() }
        let now = advanceToNow()
        switch schedule.decideExternalBusy(link: link, ranges: ranges, now: now) {
        case .failure(let rejection): return .failure(rejection)
        case .success(nil): return .success(nil)
        case .success(let event?): return .success(commit(event).sequence)
        }
    }

    /// The layer as it stands, and the confirmed bookings ahead that it lands on.
    public func externalBusyStatus() -> (busy: ExternalBusy?, conflicts: [(booking: BookingSummary, busy: TimeRange)]) {
        (schedule.externalBusy, schedule.externalBusyConflicts(now: clock.now()))
    }
}
