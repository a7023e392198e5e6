import SlotDomain
import SlotWire

/// `erase_customer` (decision 0022): one journal entry replaces a customer's text across a tenant, applied by the
/// step replay takes; then a snapshot and a compaction through it remove the text from disk.
///
/// Ordering: the erasure takes every resource of the tenant (in resource-id order, as an atomic change does,
/// `ResourceActor+Exclusive.swift`), appends its entry while holding them all, applies it on each and lets each go.
/// A request for the same customer on one of them was either appended before the take (its entry precedes the
/// erasure's, so replay erases it too, as live did) or waits at the door until the erasure let go (its entry
/// follows, and its text stays, live and in replay). The entry is appended under the directory's lock once the
/// tenant's resources are checked to be exactly those taken, so replay applies it to the same resources; and under
/// the token table's lock, so tokens are ordered with it the same way.
extension Dispatcher {
    func eraseCustomer(_ customer: String, tenant: TenantID?) async -> Outcome {
        let (counts, sequence, eventsThrough) = await eraseInMemory(customer, tenant: tenant)
        do {
            try await directory.journal.waitUntilDurable(sequence)
            let summary = try await snapshots.take(reason: "erase_customer", forErasure: true)
            // After the snapshot's compaction, which first had the outbox take every event it deletes.
            _ = try await webhooks?.outbox.erase(customer: customer, tenant: tenant, throughEvent: eventsThrough)
            return Outcome(
                reply: .success(.erasure(counts, compactedThrough: summary.compactedThrough)),
                awaitedSequence: sequence)
        } catch {
            let message =
                "the customer is erased in memory and the journal holds the erasure (entry \(sequence)), but "
                + "removing the text from disk failed: \(error); send erase_customer again to retry"
            return Outcome(reply: .failure(WireError(.internal, message)), awaitedSequence: sequence)
        }
    }

    /// Erases the customer in live state and appends the erasure's entry; returns what it replaced, the entry's
    /// sequence, and the newest event appended with it: every event of the tenant's resources up to it precedes
    /// the erasure (they are held, so none of theirs can come between). Starts over when a resource of the tenant
    /// was created while the others were being taken.
    private func eraseInMemory(_ customer: String, tenant: TenantID?) async -> (ErasureCounts, UInt64, UInt64) {
        while true {
            let ids = directory.resourceIDs(of: tenant)
            // Resources are never removed, so every id has its actor.
            let actors = ids.compactMap(directory.actor)
            let token = directory.nextChangeToken()
            var at = directory.clock.now()
            for actor in actors {
                let (schedule, _) = await actor.take(for: token)
                at = max(at, schedule.clock)
            }
            let erasure = CustomerErasure(customer: customer, tenant: tenant, at: at)
            let journaled = directory.whileResources(of: tenant, are: ids) {
                let keys = directory.idempotency.erase(erasure)
                let (tokens, sequence) = directory.tokens.erase(erasure) {
                    directory.journal.append(.customerErased(erasure))
                }
                let eventsThrough = directory.journal.appendedEventSequence
                return (ErasureCounts(idempotencyKeys: keys, tokens: tokens), sequence, eventsThrough)
            }
            guard let (serverWide, sequence, eventsThrough) = journaled else {
                for actor in actors { await actor.letGo(from: token, journaled: nil) }
                continue
            }
            // Appended before applied, unlike an event: an erasure has no invariant to break, and every resource
            // it changes is still held, so nobody sees it applied before it is journaled.
            var counts = serverWide
            for actor in actors {
                counts = counts + (await actor.applyTaken(erasure, for: token))
                await actor.letGo(from: token, journaled: sequence)
            }
            return (counts, sequence, eventsThrough)
        }
    }
}
