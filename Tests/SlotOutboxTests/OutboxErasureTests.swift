import Foundation
import SlotDomain
import SlotJSON
import Testing

@testable import SlotOutbox

/// `erase_customer` in the outbox: the text leaves the bodies of the tenant's deliveries up to the erasure, and the
/// file; everything else stays as it was.
@Suite struct OutboxErasureTests {
    static let alice = "Alice \"Al\" Example"

    static func body(_ seq: UInt64, tenant: String?, customer: String, reason: String = "") -> [UInt8] {
        var event: [String: JSONValue] = [
            "seq": .number(Double(seq)), "type": "booking.canceled", "late": true,
            "booking": ["customer": .string(customer), "reason": .string(reason), "id": "room/1"],
        ]
        if let tenant { event["tenant"] = .string(tenant) }
        var writer = JSONWriter()
        JSONValue.object(event).write(to: &writer)
        return writer.bytes
    }

    @Test func theTenantsBodiesUpToTheErasureLoseTheTextAndTheFileToo() throws {
        let folder = OutboxFolder()
        defer { folder.remove() }
        let store = try folder.open()
        let endpoint = try store.plainWebhook()
        let bodies: [(seq: UInt64, type: String, body: [UInt8])] = [
            (
                1, "booking.canceled",
                Self.body(1, tenant: "clinic", customer: Self.alice, reason: "moved, \(Self.alice)")
            ),
            (2, "booking.canceled", Self.body(2, tenant: "clinic", customer: "Bob")),
            (3, "booking.canceled", Self.body(3, tenant: "gym", customer: Self.alice)),
            (4, "booking.canceled", Self.body(4, tenant: nil, customer: Self.alice)),
            (5, "booking.canceled", Self.body(5, tenant: "clinic", customer: Self.alice)),
        ]
        try store.enqueue(webhook: endpoint.id, deliveries: bodies, cursorThrough: 5, at: at(0))
        let clinic = try #require(TenantID("clinic"))

        #expect(try store.eraseCustomer(Self.alice, tenant: clinic, throughEvent: 4) == 1)
        let stored = Dictionary(
            uniqueKeysWithValues: try store.deliveries(webhook: endpoint.id, limit: 10).map { ($0.eventSeq, $0) })
        let erased = try JSONValue.parse(bytes: try #require(stored[1]).body)
        #expect(erased["booking"]?["customer"] == "")
        #expect(erased["booking"]?["reason"] == "", "free text holding the whole text goes whole")
        #expect(erased["booking"]?["id"] == "room/1")
        #expect(erased["late"] == true)
        #expect(erased["seq"]?.int == 1)
        #expect(stored[2]?.body == bodies[1].body, "another customer's")
        #expect(stored[3]?.body == bodies[2].body, "another tenant's")
        #expect(stored[4]?.body == bodies[3].body, "a resource in no tenant is not the tenant's")
        #expect(stored[5]?.body == bodies[4].body, "after the erasure: kept, as its entry keeps it")

        #expect(try store.eraseCustomer(Self.alice, tenant: nil, throughEvent: 4) == 1, "the resources in no tenant")
        #expect(try store.eraseCustomer("Carol", tenant: clinic, throughEvent: 5) == 0)
        try store.scrub()
        // What is left of the text is only in the two bodies the erasures did not reach (3 and 5), in the file
        // alone: the WAL is empty.
        let escaped = Data(#"Alice \"Al\" Example"#.utf8)
        var copies = 0
        for name in ["outbox.sqlite", "outbox.sqlite-wal"] {
            guard let bytes = try? Data(contentsOf: folder.url.appendingPathComponent(name)) else { continue }
            var from = bytes.startIndex
            while let found = bytes.range(of: escaped, in: from..<bytes.endIndex) {
                copies += 1
                from = found.upperBound
            }
        }
        #expect(copies == 2, "\(copies)")
    }
}
