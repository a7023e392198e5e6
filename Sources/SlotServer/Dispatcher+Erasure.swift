import SlotDomain
import SlotWire

extension Dispatcher {
    /// TEMPORARY until the erasure lands on this branch.
    func eraseCustomer(_ customer: String, tenant: TenantID?) async -> Outcome {
        Outcome(reply: .failure(WireError(.internal, "erase_customer is not available yet")), awaitedSequence: 0)
    }
}
