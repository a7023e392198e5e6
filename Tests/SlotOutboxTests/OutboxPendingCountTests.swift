import Foundation
import SlotDomain
import Testing

@testable import SlotOutbox

/// `pendingCount` is kept by each write rather than counted: after any mix of writes it must equal the rows.
@Suite struct OutboxPendingCountTests {
    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func pendingCountFollowsEveryWriteAsTheRowsDo(seed: UInt64) throws {
        let folder = OutboxFolder()
        defer { folder.remove() }
        var store = try folder.open()
        var random = SplitMix64(seed: seed)
        let schedule = try #require(RetrySchedule(firstDelaySeconds: 1, capSeconds: 4, maxAgeSeconds: 30))
        var endpoints = [try store.plainWebhook(), try store.plainWebhook()]
        var nextSeq: UInt64 = 1
        var now: Int64 = 0
        for step in 0..<400 {
            now += Int64.random(in: 0...3, using: &random)
            let endpoint = endpoints[Int.random(in: 0..<endpoints.count, using: &random)]
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<30:
                let count = UInt64.random(in: 0...3, using: &random)
                if count > 0 { try store.enqueue(endpoint.id, seqs: nextSeq...(nextSeq + count - 1), at: at(now)) }
                nextSeq += count
            case 30..<65:
                let due = try store.due(now: at(now), limit: 3)
                let outcomes: [AttemptOutcome] = [.delivered(status: 200), .failed(status: 500, reason: "500")]
                _ = try store.recordAttempts(
                    due.map { (id: $0.id, outcome: outcomes.randomElement(using: &random)!) }, at: at(now),
                    schedule: schedule, random: &random)
            case 65..<75:
                _ = try store.expireOverdue(now: at(now), maxAgeSeconds: 30)
            case 75..<90:
                let listed = try store.deliveries(webhook: endpoint.id, limit: 20)
                if let any = listed.randomElement(using: &random) { _ = try store.redeliver(any.id, now: at(now)) }
            case 90..<94:
                #expect(try store.deleteWebhook(id: endpoint.id))
                endpoints.removeAll { $0.id == endpoint.id }
                endpoints.append(try store.plainWebhook(startingAfter: nextSeq - 1))
            case 94..<97:
                _ = try store.pruneDelivered(before: at(now))
            default:
                store.close()
                store = try folder.open()
            }
            #expect(store.pendingCount == (try store.countPending()), "seed \(seed), step \(step)")
        }
    }
}
