import Foundation
import SlotDomain
import SlotOutbox
import Testing

/// What keeps an endpoint whose breaker stays open from holding deliveries for ever, and which events an endpoint
/// takes when it names resources.
@Suite struct OutboxAgingTests {
    @Test func deliveriesWaitingPastTheirMaximumAgeAreDeadAtOnce() throws {
        let folder = OutboxFolder()
        defer { folder.remove() }
        let store = try folder.open()
        let endpoint = try store.plainWebhook()
        #expect(try store.enqueue(endpoint.id, seqs: 1...3, at: at(100)))
        #expect(try store.expireOverdue(now: at(160), maxAgeSeconds: 60) == 0, "exactly at the maximum age: not yet")
        #expect(try store.expireOverdue(now: at(161), maxAgeSeconds: 60) == 3)
        #expect(try store.counts(webhook: endpoint.id) == DeliveryCounts(dead: 3))
        #expect(try store.due(now: at(1_000), limit: 10).isEmpty)
    }

    @Test func anEndpointNamingAMembersResourceTakesItsGroupsEvents() {
        let lead = ResourceID("room-a")!
        let member = ResourceID("room-b")!
        let endpoint = WebhookEndpoint(
            id: "wh_0000000000000001", url: "https://example.com/hook", secret: WebhookEndpoint.generateSecret(),
            types: nil, resources: [member], tenant: nil, createdAt: at(0), cursor: 0)
        #expect(endpoint.accepts(.groupHeld, resource: lead, memberResources: [lead, member]))
        #expect(!endpoint.accepts(.groupHeld, resource: lead, memberResources: [lead]))
        #expect(!endpoint.accepts(.bookingHeld, resource: lead))
    }
}
