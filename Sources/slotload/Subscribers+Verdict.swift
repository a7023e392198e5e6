import Foundation
import SlotClient
import SlotDomain
import SlotWire

/// The subscribers' part of the verdict: after the load, every booking of the run is read back with
/// `get_booking` (its final state and history), the head is taken, each subscriber is stopped once it was sent
/// the events up to it, and `EventCheck` judges what each saw.
extension Subscribers {
    struct Judgement {
        var reasons: [String]
        var summaries: [Summary]
    }

    /// The end-of-run reading: each of `bookings` as `get_booking` shows it (absent when the server does not
    /// have it), and each hold's `expires_at`.
    struct Reading {
        var finals: [BookingRef: FinalBooking] = [:]
        var holdsExpiring: [BookingRef: Int64] = [:]
    }

    /// Judges the subscribers against `bookings` (those of the ledger, the verdict's listing and the events).
    func judge(bookings: Set<BookingRef>, plan: Plan, endpoint: SlotEndpoint) async throws -> Judgement {
        var reading = try await Self.read(bookings, plan: plan, endpoint: endpoint)
        let head = try await Self.headSeq(endpoint)
        let headRead = Int64(Date().timeIntervalSince1970)
        let logs = await stop(headSeq: head)
        // Bookings only events know of: the server may have made them with their replies lost; read them too.
        let unread = Set(logs.flatMap { $0.events.compactMap { $0.seq <= head ? $0.booking : nil } })
            .subtracting(bookings)
        if !unread.isEmpty {
            let more = try await Self.read(unread, plan: plan, endpoint: endpoint)
            reading.finals.merge(more.finals) { first, _ in first }
            reading.holdsExpiring.merge(more.holdsExpiring) { first, _ in first }
        }
        // A hold that lapses while the reading runs may be read pending and expire before the head is taken.
        let notJudged = Set(
            reading.holdsExpiring.filter { $0.value <= headRead + Verifier.expiryMarginSeconds }.keys)
        var reasons: [String] = []
        for (index, log) in logs.enumerated() {
            let problems = EventCheck.problems(
                subscriber: index, log: log, finals: reading.finals, notJudged: notJudged, headSeq: head,
                name: { plan.bookingID(resource: $0.resource, sequence: $0.sequence) })
            reasons += problems.prefix(max(0, Verifier.reasonsMax - reasons.count))
        }
        let summaries = logs.map { log in
            Summary(
                eventLines: log.eventLines, bookingEvents: log.events.count(where: { $0.booking != nil }),
                fromSeq: log.fromSeq, lastSeq: log.lastSeq)
        }
        return Judgement(reasons: reasons, summaries: summaries)
    }

    static func read(_ bookings: Set<BookingRef>, plan: Plan, endpoint: SlotEndpoint) async throws -> Reading {
        let all = Array(bookings)
        var reading = Reading()
        try await SlotConnection.withConnection(to: endpoint) { client in
            for chunk in stride(from: 0, to: all.count, by: readingsPerPipelineMax) {
                let part = all[chunk..<min(all.count, chunk + readingsPerPipelineMax)]
                let replies = try await client.pipeline(
                    part.map {
                        [
                            "op": "get_booking",
                            "booking": .string(plan.bookingID(resource: $0.resource, sequence: $0.sequence)),
                        ]
                    })
                for (booking, reply) in zip(part, replies) {
                    guard reply.ok, let found = reply["booking"] else {
                        guard reply.errorCode == "not_found" else {
                            throw VerificationFailed("get_booking failed: \(reply)")
                        }
                        continue
                    }
                    let state = found["state"]?.string ?? "?"
                    let transitions = (found["history"]?.array?.count ?? 0) + (found["history_omitted"]?.int ?? 0)
                    reading.finals[booking] = FinalBooking(state: state, transitions: transitions)
                    if state == "pending_confirmation",
                        let expires = found["expires_at"]?.string.flatMap(RFC3339.parse)
                    {
                        reading.holdsExpiring[booking] = expires.instant.secondsSinceEpoch
                    }
                }
            }
        }
        return reading
    }
}
