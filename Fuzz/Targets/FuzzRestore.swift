// libFuzzer target: a snapshot file read and then restored, as slotd does at start-up (Recovery.state(from:)):
// the reader, then each resource's schedule rebuilt from its bookings, then the idempotency table. The reader
// refuses instants and booking numbers no server could have written (a booking 203 million days long after one
// flipped bit, a booking numbered 0), so restore's cost follows what a real snapshot can hold. The checksum is
// redone, as in `snapshot`.
import SlotDomain

@testable import SlotJournal

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRestore(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = resealedSnapshot(data, count)
    guard let image = try? SnapshotFormatV1.decode(bytes) else { return 0 }
    for resource in image.resources {
        _ = try? ResourceSchedule(
            restoring: resource.settings, clock: resource.clock, lastSequence: resource.lastBookingSequence,
            bookings: resource.bookings, rules: resource.rules, waitlist: resource.waitlist,
            lastWaitlistNumber: resource.lastWaitlistNumber)
    }
    var idempotency = IdempotencyTable(retentionSeconds: DomainLimits.standard.idempotencyRetentionSeconds)
    for record in image.idempotency { idempotency.restore(record) }
    return 0
}
