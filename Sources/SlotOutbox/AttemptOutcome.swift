/// What one delivery attempt came to, as the sender saw it and the outbox records it: the receiver answered 2xx,
/// or it did not (another status, no connection, no answer in time). Only `delivered` ends a delivery; every
/// failure is retried on the schedule until the delivery's maximum age.
public enum AttemptOutcome: Hashable, Sendable {
    case delivered(status: Int)
    /// `status` when the receiver answered; `reason` says what went wrong in words an operator reads in
    /// `list_deliveries` (`"status 500"`, `"timed out after 10 s"`, `"connection refused"`).
    case failed(status: Int?, reason: String)

    public var isDelivered: Bool {
        if case .delivered = self { return true }
        return false
    }
}
