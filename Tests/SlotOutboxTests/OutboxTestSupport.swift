import Foundation
import SlotDomain
import SlotOutbox

/// A fresh data folder for one test, removed by `remove()`.
struct OutboxFolder {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("slotd-outbox-\(UUID())")

    func open(_ configuration: OutboxStore.Configuration = OutboxStore.Configuration()) throws -> OutboxStore {
        try OutboxStore(directory: url, configuration: configuration)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

func at(_ seconds: Int64) -> Instant { Instant(secondsSinceEpoch: seconds) }

extension OutboxStore {
    /// An endpoint for all events with a generated secret, created at instant 0 after event `seq`.
    func plainWebhook(startingAfter seq: UInt64 = 0) throws -> WebhookEndpoint {
        try createWebhook(
            url: "https://hooks.example/in", secret: nil, types: nil, resources: nil, tenant: nil,
            startingAfter: seq, at: at(0)
        ).get()
    }

    /// One delivery per seq, typed `booking.held`, with `{"seq":N}` as its body.
    @discardableResult
    func enqueue(_ webhook: String, seqs: ClosedRange<UInt64>, at now: Instant) throws -> Bool {
        try enqueue(
            webhook: webhook,
            deliveries: seqs.map { (seq: $0, type: "booking.held", body: Array("{\"seq\":\($0)}".utf8)) },
            cursorThrough: seqs.upperBound, at: now)
    }
}
