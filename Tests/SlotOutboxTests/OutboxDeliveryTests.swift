import Foundation
import SlotDomain
import SlotOutbox
import Testing

@Suite struct OutboxDeliveryTests {
    let failure = AttemptOutcome.failed(status: 500, reason: "status 500")

    @Test func enqueuedDeliveriesArePendingAndDueAtOnceWithAStableWebhookID() throws {
        let folder = OutboxFolder()
        defer { folder.remove() }
        let store = try folder.open()
        let endpoint = try store.plainWebhook(startingAfter: 10)
        // Events 11 and 12 did not match; 13 and 14 did: the cursor passes all four.
        try store.enqueue(
            webhook: endpoint.id,
            deliveries: [
                (seq: 13, type: "booking.held", body: [1, 2]), (seq: 14, type: "booking.canceled", body: [3]),
            ],
            cursorThrough: 14, at: at(100))
        #expect(try store.webhook(id: endpoint.id)?.cursor == 14)
        let due = try store.due(now: at(100), limit: 10)
        #expect(due.map(\.eventSeq) == [13, 14])
        #expect(due.map(\.eventType) == ["booking.held", "booking.canceled"])
        #expect(due.map(\.body) == [[1, 2], [3]])
        #expect(due.allSatisfy { $0.state == .pending && $0.attempts == 0 && $0.nextAttemptAt == at(100) })
        #expect(due[0].messageID == "msg_\(endpoint.id)_13")
        #expect(try store.due(now: at(99), limit: 10).isEmpty)
        // An empty batch only moves the cursor.
        try store.enqueue(webhook: endpoint.id, deliveries: [], cursorThrough: 20, at: at(101))
        #expect(try store.webhook(id: endpoint.id)?.cursor == 20)
        #expect(store.pendingCount == 2)
    }

    @Test func dueListsTheLongestDueFirstUpToTheLimitLeavingOutExcludedEndpoints() throws {
        let folder = OutboxFolder()
        defer { folder.remove() }
        let store = try folder.open()
        let first = try store.plainWebhook()
        let second = try store.plainWebhook()
        try store.enqueue(second.id, seqs: 1...2, at: at(50))
        try store.enqueue(first.id, seqs: 1...3, at: at(60))
        #expect(try store.due(now: at(60), limit: 3).map(\.webhook) == [second.id, second.id, first.id])
        #expect(try store.due(now: at(60), limit: 10, excluding: [second.id]).map(\.eventSeq) == [1, 2, 3])
        #expect(try store.due(now: at(60), limit: 10, excluding: [first.id, second.id]).isEmpty)
    }

    /// Failed, failed, … dead at the maximum age; redelivered; delivered. A manual clock jumps to each due time.
    @Test func aDeliveryFailsUntilDeadThenIsRedeliveredAndDelivered() throws {
        let folder = OutboxFolder()
        defer { folder.remove() }
        let store = try folder.open()
        let schedule = try #require(RetrySchedule(firstDelaySeconds: 2, capSeconds: 8, maxAgeSeconds: 60))
        var random = SplitMix64(seed: 19)
        let endpoint = try store.plainWebhook()
        try store.enqueue(endpoint.id, seqs: 1...1, at: at(1_000))
        var now = at(1_000)
        var delivery = try #require(try store.due(now: now, limit: 1).first)
        var attempts = 0
        while delivery.state != .dead {
            let due = try #require(try store.due(now: now, limit: 1).first)
            #expect(due.id == delivery.id)
            delivery = try #require(
                try store.recordAttempt(delivery.id, outcome: failure, at: now, schedule: schedule, random: &random))
            attempts += 1
            #expect(delivery.attempts == attempts)
            #expect(delivery.lastAttemptAt == now && delivery.lastStatus == 500 && delivery.lastError == "status 500")
            if let next = delivery.nextAttemptAt {
                #expect(delivery.state == .failed)
                #expect(next.seconds(since: now) <= schedule.delayCeilingSeconds(afterAttempt: attempts))
                #expect(next <= at(1_060))
                #expect(try store.counts(webhook: endpoint.id) == DeliveryCounts(failed: 1))
                now = next
            }
        }
        // With delays of at most 8 s, dying at age 60 takes at least 7 attempts.
        #expect(attempts >= 7)
        #expect(delivery.nextAttemptAt == nil)
        #expect(try store.counts(webhook: endpoint.id) == DeliveryCounts(dead: 1))
        #expect(try store.due(now: at(10_000), limit: 10).isEmpty)
        #expect(store.pendingCount == 0)

        let redelivered = try #require(try store.redeliver(delivery.id, now: at(5_000)))
        #expect(redelivered.state == .pending && redelivered.attempts == 0)
        #expect(redelivered.nextAttemptAt == at(5_000) && redelivered.retriesSince == at(5_000))
        #expect(redelivered.createdAt == at(1_000))
        #expect(redelivered.messageID == delivery.messageID && redelivered.body == delivery.body)
        #expect(try store.due(now: at(5_000), limit: 1).map(\.id) == [delivery.id])

        // A whole schedule again from the redelivery: the first failure is not dead at once.
        let retried = try #require(
            try store.recordAttempt(delivery.id, outcome: failure, at: at(5_000), schedule: schedule, random: &random))
        #expect(retried.state == .failed)
        let delivered = try #require(
            try store.recordAttempt(
                delivery.id, outcome: .delivered(status: 202), at: at(5_002), schedule: schedule, random: &random))
        #expect(delivered.state == .delivered && delivered.attempts == 2)
        #expect(delivered.lastStatus == 202 && delivered.lastError == nil && delivered.nextAttemptAt == nil)
        #expect(try store.counts(webhook: endpoint.id) == DeliveryCounts(delivered: 1))
        #expect(try store.redeliver(delivery.id, now: at(6_000))?.state == .pending)
    }

    @Test func redeliveringAQueuedOrUnknownDeliveryChangesNothing() throws {
        let folder = OutboxFolder()
        defer { folder.remove() }
        let store = try folder.open()
        let endpoint = try store.plainWebhook()
        try store.enqueue(endpoint.id, seqs: 1...1, at: at(0))
        var random = SplitMix64(seed: 5)
        let failed = try #require(
            try store.recordAttempt(1, outcome: failure, at: at(1), schedule: RetrySchedule(), random: &random))
        #expect(try store.redeliver(1, now: at(2)) == failed)
        #expect(try store.delivery(id: 1) == failed)
        #expect(try store.redeliver(99, now: at(2)) == nil)
        #expect(
            try store.recordAttempt(99, outcome: failure, at: at(2), schedule: RetrySchedule(), random: &random) == nil)
    }

    @Test func aBatchOfAnswersIsRecordedTogetherSkippingDeliveriesDeletedMeanwhile() throws {
        let folder = OutboxFolder()
        defer { folder.remove() }
        let store = try folder.open()
        let endpoint = try store.plainWebhook()
        try store.enqueue(endpoint.id, seqs: 1...3, at: at(0))
        var random = SplitMix64(seed: 8)
        let recorded = try store.recordAttempts(
            [(id: 3, outcome: .delivered(status: 200)), (id: 42, outcome: failure), (id: 1, outcome: failure)],
            at: at(1), schedule: RetrySchedule(), random: &random)
        #expect(recorded.map(\.id) == [3, 1])
        #expect(recorded.map(\.state) == [.delivered, .failed])
        #expect(try store.counts(webhook: endpoint.id) == DeliveryCounts(delivered: 1, pending: 1, failed: 1))
    }

    @Test func listingIsNewestFirstByStateAndAtMostTheLimit() throws {
        let folder = OutboxFolder()
        defer { folder.remove() }
        let store = try folder.open(OutboxStore.Configuration())
        let endpoint = try store.plainWebhook()
        try store.enqueue(endpoint.id, seqs: 1...5, at: at(0))
        var random = SplitMix64(seed: 6)
        for id: Int64 in [2, 4] {
            _ = try store.recordAttempt(
                id, outcome: .delivered(status: 200), at: at(1), schedule: RetrySchedule(), random: &random)
        }
        #expect(try store.deliveries(webhook: endpoint.id, limit: 3).map(\.eventSeq) == [5, 4, 3])
        #expect(try store.deliveries(webhook: endpoint.id, limit: 2).map(\.eventSeq) == [5, 4])
        #expect(try store.deliveries(webhook: endpoint.id, state: .delivered, limit: 10).map(\.eventSeq) == [4, 2])
        #expect(try store.deliveries(webhook: endpoint.id, state: .pending, limit: 10).map(\.eventSeq) == [5, 3, 1])
        #expect(try store.deliveries(webhook: endpoint.id, state: .dead, limit: 10).isEmpty)
        #expect(try store.counts(webhook: endpoint.id) == DeliveryCounts(delivered: 2, pending: 3))
    }

    @Test func pruningRemovesOnlyDeliveredOnesPastTheRetention() throws {
        let folder = OutboxFolder()
        defer { folder.remove() }
        let configuration = OutboxStore.Configuration()
        #expect(configuration.deliveredRetentionSeconds == 7 * 86_400)
        let store = try folder.open(configuration)
        let endpoint = try store.plainWebhook()
        try store.enqueue(endpoint.id, seqs: 1...3, at: at(0))
        var random = SplitMix64(seed: 7)
        let schedule = try #require(RetrySchedule(firstDelaySeconds: 1, capSeconds: 1, maxAgeSeconds: 0))
        _ = try store.recordAttempt(
            1, outcome: .delivered(status: 200), at: at(100), schedule: schedule, random: &random)
        _ = try store.recordAttempt(
            2, outcome: .delivered(status: 200), at: at(200), schedule: schedule, random: &random)
        let dead = try store.recordAttempt(3, outcome: failure, at: at(100), schedule: schedule, random: &random)
        #expect(dead?.state == .dead)
        let retention = configuration.deliveredRetentionSeconds
        #expect(try store.pruneDelivered(now: at(100 + retention)) == 0)
        #expect(try store.pruneDelivered(now: at(101 + retention)) == 1)
        #expect(try store.counts(webhook: endpoint.id) == DeliveryCounts(delivered: 1, dead: 1))
        #expect(try store.pruneDelivered(before: at(1_000_000)) == 1)
        #expect(try store.counts(webhook: endpoint.id) == DeliveryCounts(dead: 1))
    }
}

/// A cursor that moves back, or an event enqueued twice for one endpoint, means the dispatcher lost track of what
/// it has read: a broken invariant, which stops the process rather than send an event twice or skip one.
@Suite struct OutboxInvariantTests {
    /// A precondition's trap ends the process with SIGILL on Linux: a thrown error would exit with a failure code.
    @Test func enqueueingAnEventAtOrBeforeTheCursorCrashes() async {
        let folder = OutboxFolder()
        defer { folder.remove() }
        let path = folder.url.path
        await #expect(processExitsWith: .signal(SIGILL)) { [path = path as String] in
            let store = try OutboxStore(directory: URL(fileURLWithPath: path))
            let endpoint = try store.plainWebhook(startingAfter: 5)
            try store.enqueue(endpoint.id, seqs: 5...5, at: at(0))
        }
    }

    @Test func movingTheCursorBackCrashes() async {
        let folder = OutboxFolder()
        defer { folder.remove() }
        let path = folder.url.path
        await #expect(processExitsWith: .signal(SIGILL)) { [path = path as String] in
            let store = try OutboxStore(directory: URL(fileURLWithPath: path))
            let endpoint = try store.plainWebhook(startingAfter: 5)
            try store.enqueue(webhook: endpoint.id, deliveries: [], cursorThrough: 4, at: at(0))
        }
    }
}
