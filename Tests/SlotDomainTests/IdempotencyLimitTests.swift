import Testing

@testable import SlotDomain

/// The idempotency table's bounds: per server and per resource, new keys refused once full, stored keys still
/// replayed, expired keys making room, and recovery never refused.
@Suite struct IdempotencyLimitTests {
    let t0 = Instant(secondsSinceEpoch: 1_000)
    let a = ResourceID("a")!
    let b = ResourceID("b")!

    func summary(_ resource: ResourceID, _ sequence: UInt64) -> BookingSummary {
        BookingSummary(
            id: BookingID(resource: resource, sequence: sequence),
            range: TimeRange(start: Instant(secondsSinceEpoch: 0), end: Instant(secondsSinceEpoch: 900)),
            customer: "c", state: .confirmed, expiresAt: nil)
    }

    func add(_ table: inout IdempotencyTable, _ key: String, _ resource: ResourceID, at: Instant) -> Bool {
        let stamp = IdempotencyStamp(key: key, fingerprint: key)
        guard table.begin(stamp, resource: resource, now: at) == .proceed else { return false }
        table.finish(stamp, reply: .booking(summary(resource, 1)), at: at)
        return true
    }

    func refusal(_ lookup: IdempotencyTable.Lookup) -> Rejection? {
        if case .full(let rejection) = lookup { return rejection }
        return nil
    }

    @Test func newKeysPastEitherBoundAreRefusedAndStoredOnesReplay() throws {
        var table = IdempotencyTable(retentionSeconds: 100, keysMax: 3, keysPerResourceMax: 2)
        #expect(add(&table, "a1", a, at: t0))
        #expect(add(&table, "a2", a, at: t0))
        let perResource = try #require(
            refusal(table.begin(IdempotencyStamp(key: "a3", fingerprint: "a3"), resource: a, now: t0)))
        #expect(perResource.code == .tooManyKeys)
        #expect(perResource.details["scope"] == "resource")
        #expect(perResource.details["limit"] == "2")
        #expect(add(&table, "b1", b, at: t0))
        let perServer = try #require(
            refusal(table.begin(IdempotencyStamp(key: "b2", fingerprint: "b2"), resource: b, now: t0)))
        #expect(perServer.details["scope"] == "server")
        #expect(perServer.details["limit"] == "3")
        // Refusals reserve nothing; stored keys still replay.
        #expect(table.count == 3)
        #expect(
            table.begin(IdempotencyStamp(key: "a1", fingerprint: "a1"), resource: a, now: t0)
                == .replay(.booking(summary(a, 1))))
        // Expired keys are pruned before a key is refused.
        #expect(add(&table, "b2", b, at: t0.adding(seconds: 100)))
        #expect(table.count == 1)
        #expect(table.count(on: a) == 0)
    }

    @Test func inFlightAndAbandonedKeysAreCounted() {
        var table = IdempotencyTable(retentionSeconds: 100, keysMax: 1)
        let stamp = IdempotencyStamp(key: "k", fingerprint: "k")
        #expect(table.begin(stamp, resource: a, now: t0) == .proceed)
        #expect(refusal(table.begin(IdempotencyStamp(key: "j", fingerprint: "j"), resource: a, now: t0)) != nil)
        table.abandon(stamp)
        #expect(table.count(on: a) == 0)
        #expect(add(&table, "j", a, at: t0))
    }

    @Test func recoveryRestoresEveryKeyWhateverTheLimits() {
        var table = IdempotencyTable(retentionSeconds: 100, keysMax: 1, keysPerResourceMax: 1)
        for index in 1...3 {
            table.finish(
                IdempotencyStamp(key: "k\(index)", fingerprint: "f"), reply: .booking(summary(a, UInt64(index))),
                at: t0)
        }
        table.restore(
            IdempotencyTable.Record(
                key: "r1", fingerprint: "f", reply: .booking(summary(b, 1)), expiresAt: t0.adding(seconds: 100)))
        #expect(table.count == 4)
        #expect(table.count(on: a) == 3)
        #expect(table.count(on: b) == 1)
        // The same key finished again (a key reused after its retention, replayed) is counted once.
        table.finish(IdempotencyStamp(key: "k1", fingerprint: "g"), reply: .booking(summary(b, 2)), at: t0)
        #expect(table.count(on: a) == 2)
        #expect(table.count(on: b) == 2)
    }
}
