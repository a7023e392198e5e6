import Foundation
import SlotDomain
import SlotOutbox
import Testing

@Suite struct OutboxStoreTests {
    @Test func anEndpointAndItsFiltersReadBackAsCreated() throws {
        let folder = OutboxFolder()
        defer { folder.remove() }
        let store = try folder.open()
        let tenant = try #require(TenantID("acme"))
        let resources = [try #require(ResourceID("dr-smith")).inTenant(tenant), try #require(ResourceID("room.2"))]
        let created = try store.createWebhook(
            url: "https://hooks.example/slotd", secret: "whsec_c2VjcmV0", types: [.bookingCanceled, .waitlistPromoted],
            resources: resources, tenant: tenant, startingAfter: 41, at: at(1_700_000_000)
        ).get()
        #expect(created.id.wholeMatch(of: /wh_[0-9a-f]{16}/) != nil)
        #expect(created.cursor == 41)
        #expect(try store.webhook(id: created.id) == created)
        let everything = try store.plainWebhook()
        #expect(everything.types == nil && everything.resources == nil && everything.tenant == nil)
        let nothing = try store.createWebhook(
            url: "https://hooks.example/none", secret: nil, types: [], resources: [], tenant: nil, startingAfter: 0,
            at: at(1_700_000_001)
        ).get()
        #expect(try store.webhooks() == [everything, created, nothing])
        #expect(try store.webhook(id: nothing.id)?.types == [])
        #expect(try store.webhook(id: nothing.id)?.resources == [])
        #expect(try store.webhook(id: "wh_0000000000000000") == nil)
    }

    @Test func aGeneratedSecretSignsAndIsNewEachTime() throws {
        let folder = OutboxFolder()
        defer { folder.remove() }
        let store = try folder.open()
        let first = try store.plainWebhook()
        let second = try store.plainWebhook()
        #expect(first.secret != second.secret)
        #expect(first.id != second.id)
        let key = try #require(Data(base64Encoded: String(first.secret.dropFirst("whsec_".count))))
        #expect(key.count == 24)
        #expect(WebhookSigner(secret: first.secret) != nil)
    }

    @Test func filtersAcceptOnlyTheirTenantTypesAndResources() throws {
        let tenant = try #require(TenantID("acme"))
        let smith = try #require(ResourceID("dr-smith")).inTenant(tenant)
        let jones = try #require(ResourceID("dr-jones")).inTenant(tenant)
        let untenanted = try #require(ResourceID("dr-smith"))
        var endpoint = WebhookEndpoint(
            id: "wh_1", url: "https://x", secret: "s", types: nil, resources: nil, tenant: nil, createdAt: at(0),
            cursor: 0)
        #expect(endpoint.accepts(.bookingHeld, resource: smith) && endpoint.accepts(.bookingHeld, resource: untenanted))
        endpoint.tenant = tenant
        #expect(endpoint.accepts(.bookingHeld, resource: smith))
        #expect(!endpoint.accepts(.bookingHeld, resource: untenanted))
        endpoint.types = [.bookingCanceled]
        #expect(!endpoint.accepts(.bookingHeld, resource: smith))
        #expect(endpoint.accepts(.bookingCanceled, resource: jones))
        endpoint.resources = [smith]
        #expect(endpoint.accepts(.bookingCanceled, resource: smith))
        #expect(!endpoint.accepts(.bookingCanceled, resource: jones))
    }

    @Test func endpointsStopAtTheNamedMaximum() throws {
        let folder = OutboxFolder()
        defer { folder.remove() }
        var configuration = OutboxStore.Configuration()
        #expect(configuration.webhooksMax == 100)
        configuration.webhooksMax = 2
        let store = try folder.open(configuration)
        let first = try store.plainWebhook()
        _ = try store.plainWebhook()
        let refused = try store.createWebhook(
            url: "https://x", secret: nil, types: nil, resources: nil, tenant: nil, startingAfter: 0, at: at(0))
        #expect(throws: OutboxRejection.tooManyWebhooks(max: 2)) { try refused.get() }
        #expect(OutboxRejection.tooManyWebhooks(max: 2).code == "too_many_webhooks")
        #expect(try store.deleteWebhook(id: first.id))
        #expect(throws: Never.self) { try store.plainWebhook() }
    }

    @Test func deletingAnEndpointDeletesItsDeliveriesOnly() throws {
        let folder = OutboxFolder()
        defer { folder.remove() }
        let store = try folder.open()
        let gone = try store.plainWebhook()
        let kept = try store.plainWebhook()
        try store.enqueue(gone.id, seqs: 1...3, at: at(10))
        try store.enqueue(kept.id, seqs: 1...2, at: at(10))
        #expect(try store.deleteWebhook(id: gone.id))
        #expect(try !store.deleteWebhook(id: gone.id))
        #expect(try store.webhooks().map(\.id) == [kept.id])
        #expect(try store.counts(webhook: gone.id) == DeliveryCounts())
        #expect(store.pendingCount == 2)
        // Events read for an endpoint deleted meanwhile are not enqueued.
        #expect(try !store.enqueue(gone.id, seqs: 4...4, at: at(11)))
        #expect(store.pendingCount == 2)
    }

    @Test func reopeningAfterCloseKeepsEverything() throws {
        let folder = OutboxFolder()
        defer { folder.remove() }
        let store = try folder.open()
        let endpoint = try store.plainWebhook(startingAfter: 5)
        try store.enqueue(endpoint.id, seqs: 6...8, at: at(20))
        var random = SplitMix64(seed: 3)
        let failed = try #require(
            try store.recordAttempt(
                1, outcome: .failed(status: nil, reason: "connection refused"), at: at(21), schedule: RetrySchedule(),
                random: &random))
        let before = try store.deliveries(webhook: endpoint.id, limit: 10)
        store.close()
        #expect(throws: OutboxError.self) { try store.webhooks() }

        let reopened = try folder.open()
        #expect(try reopened.webhooks() == [WebhookEndpoint(endpoint, cursor: 8)])
        #expect(try reopened.deliveries(webhook: endpoint.id, limit: 10) == before)
        #expect(try reopened.delivery(id: 1) == failed)
        #expect(failed.lastError == "connection refused" && failed.lastStatus == nil)
    }

    /// What a kill -9 leaves: the files as they are, the WAL not checkpointed. Copying them while the store is
    /// still open gives exactly that image; reopening it keeps every committed write.
    @Test func aCrashImageKeepsEveryCommittedWrite() throws {
        let folder = OutboxFolder()
        let crashed = OutboxFolder()
        defer {
            folder.remove()
            crashed.remove()
        }
        let store = try folder.open()
        let endpoint = try store.plainWebhook()
        try store.enqueue(endpoint.id, seqs: 1...4, at: at(30))
        var random = SplitMix64(seed: 4)
        _ = try store.recordAttempt(
            2, outcome: .delivered(status: 200), at: at(31), schedule: RetrySchedule(), random: &random)
        let wal = folder.url.appendingPathComponent(OutboxStore.fileName + "-wal")
        let walBytes = try #require(try FileManager.default.attributesOfItem(atPath: wal.path)[.size] as? Int)
        #expect(walBytes > 0, "the writes are still in the WAL, as at a crash")
        try FileManager.default.createDirectory(at: crashed.url, withIntermediateDirectories: true)
        for suffix in ["", "-wal"] {
            try FileManager.default.copyItem(
                at: folder.url.appendingPathComponent(OutboxStore.fileName + suffix),
                to: crashed.url.appendingPathComponent(OutboxStore.fileName + suffix))
        }

        let recovered = try crashed.open()
        #expect(try recovered.webhook(id: endpoint.id)?.cursor == 4)
        #expect(try recovered.counts(webhook: endpoint.id) == DeliveryCounts(delivered: 1, pending: 3))
        #expect(
            try recovered.deliveries(webhook: endpoint.id, limit: 10)
                == store.deliveries(webhook: endpoint.id, limit: 10))
    }

    @Test func droppingTheStoreWithoutClosingKeepsCommittedState() throws {
        let folder = OutboxFolder()
        defer { folder.remove() }
        var endpoint: WebhookEndpoint?
        do {
            let store = try folder.open()
            endpoint = try store.plainWebhook()
            try store.enqueue(try #require(endpoint).id, seqs: 1...2, at: at(40))
        }
        let reopened = try folder.open()
        #expect(try reopened.webhook(id: try #require(endpoint).id)?.cursor == 2)
        #expect(reopened.pendingCount == 2)
    }
}

extension WebhookEndpoint {
    /// `endpoint` with another cursor.
    init(_ endpoint: WebhookEndpoint, cursor: UInt64) {
        self = endpoint
        self.cursor = cursor
    }
}
