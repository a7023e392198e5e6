import Foundation
import SlotDomain
import SlotJournal

/// A journal whose replay takes long: `resources` resources with `bookingsPerResource` confirmed bookings each,
/// written straight through `Journal` (no server), for start-up measurements and tests of what slotd does while
/// it replays.
enum LongJournal {
    /// Writes the journal into `directory` (a new data folder) and returns once it is durable and closed.
    static func write(to directory: URL, resources: Int, bookingsPerResource: Int, at now: Instant) async throws {
        let journal = try Journal(directory: directory)
        journal.start()
        var last: UInt64 = 0
        for index in 0..<resources {
            let id = ResourceID("r-\(index)")!
            last = journal.append(
                .resourceCreated(
                    ResourceSettings(id: id, timeZoneIdentifier: "Europe/Berlin"), at: now, idempotency: nil))
            for sequence in UInt64(1)...UInt64(bookingsPerResource) {
                let start = now.adding(seconds: 86_400 + Int64(sequence) * 1_800)
                let event = HeldEvent(
                    sequence: sequence, range: TimeRange(start: start, end: start.adding(seconds: 900)),
                    customer: "customer-\(index)-\(sequence)", expiresAt: nil, confirmed: true, actor: "client",
                    at: now, idempotency: nil)
                last = journal.append(.schedule(id, .held(event)))
            }
            // Waits now and then, so the queue stays far below the journal's admission bound; yields after every
            // resource, so that the tests running beside this one in the process keep their share of its threads.
            if index % 100 == 99 { try await journal.waitUntilDurable(last) } else { await Task.yield() }
        }
        try await journal.waitUntilDurable(last)
        journal.stop()
    }
}
