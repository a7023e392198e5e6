import Foundation
import SlotClient
import SlotDomain
import SlotWire

/// The correctness verdict, from the server's own `list_bookings` and `get_group` after the run: no instant over
/// capacity, every booking slotload saw acknowledged is there as it was last acknowledged, nothing else is active,
/// and every group it saw created has the members it was told of, all in one state.
struct Verifier {
    let plan: Plan
    let endpoint: SlotEndpoint
    let capacity: Int
    let bufferBeforeSeconds: Int64
    let bufferAfterSeconds: Int64
    /// Holds within this many seconds of their expiry when the check runs may go either way, and are not judged.
    static let expiryMarginSeconds: Int64 = 3
    /// Reasons are capped so a broken run does not print a million lines.
    static let reasonsMax = 50

    struct Listed {
        var start: Int64
        var end: Int64
    }

    struct Verdict {
        var reasons: [String]
        var checkedBookings: Int
        var checkedGroups: Int
        /// Every booking the listing found, for the subscribers' check.
        var listed: [BookingRef]
    }

    func verify(_ ledger: [LedgerEntry], groups: [GroupEntry], hadTransportErrors: Bool) async throws -> Verdict {
        let listed = try await listEverything()
        let now = Int64(Date().timeIntervalSince1970)
        var reasons: [String] = []
        func problem(_ text: String) { if reasons.count < Self.reasonsMax { reasons.append(text) } }
        var acknowledged = Array(repeating: Set<UInt64>(), count: plan.resources.count)
        for entry in ledger {
            var id: String { plan.bookingID(resource: entry.resource, sequence: entry.sequence) }
            acknowledged[entry.resource].insert(entry.sequence)
            let expectActive: Bool?
            switch entry.expected {
            case .confirmed: expectActive = true
            case .inactive: expectActive = false
            case .held(let expires):
                expectActive =
                    expires > now + Self.expiryMarginSeconds
                    ? true : (expires < now - Self.expiryMarginSeconds ? false : nil)
            }
            let found = listed[entry.resource][entry.sequence]
            switch (expectActive, found) {
            case (true, nil): problem("\(id) was acknowledged but is missing")
            case (false, .some): problem("\(id) should no longer be active but is")
            case (true, let booking?) where booking.start != entry.start || booking.end != entry.end:
                problem("\(id) is at \(booking.start)…\(booking.end), acknowledged at \(entry.start)…\(entry.end)")
            default: break
            }
        }
        // A lost reply on a broken connection may hide a booking that did happen; only a clean run can say so.
        if !hadTransportErrors {
            for (resource, bookings) in listed.enumerated() {
                for sequence in bookings.keys where !acknowledged[resource].contains(sequence) {
                    problem(
                        "\(plan.bookingID(resource: resource, sequence: sequence)) exists but was never acknowledged")
                }
            }
        }
        for (resource, bookings) in listed.enumerated() {
            if let overlap = overCapacity(Array(bookings.values)) {
                problem("\(plan.resources[resource]) is over capacity \(capacity) at \(RequestText.time(overlap))")
            }
        }
        for problem in try await groupProblems(groups).prefix(max(0, Self.reasonsMax - reasons.count)) {
            reasons.append(problem)
        }
        return Verdict(
            reasons: reasons, checkedBookings: listed.reduce(0) { $0 + $1.count }, checkedGroups: groups.count,
            listed: listed.enumerated().flatMap { resource, bookings in
                bookings.keys.map { BookingRef(resource: resource, sequence: $0) }
            })
    }

    /// The first instant at which `bookings` break the server's rule, or nil. Cores: never more than `capacity` at
    /// once. Buffers, with capacity 1: no core inside another booking's buffer (two buffers may overlap, as the
    /// server allows), so consecutive bookings are at least the larger buffer apart. With a larger capacity only
    /// the cores are counted.
    func overCapacity(_ bookings: [Listed]) -> Int64? {
        if capacity == 1 {
            let gapMinimum = max(bufferBeforeSeconds, bufferAfterSeconds)
            let sorted = bookings.sorted { ($0.start, $0.end) < ($1.start, $1.end) }
            for (earlier, later) in zip(sorted, sorted.dropFirst()) where later.start - earlier.end < gapMinimum {
                return later.start
            }
            return nil
        }
        var events: [(at: Int64, change: Int)] = []
        events.reserveCapacity(bookings.count * 2)
        for booking in bookings {
            events.append((booking.start, 1))
            events.append((booking.end, -1))
        }
        events.sort { ($0.at, $0.change) < ($1.at, $1.change) }
        var current = 0
        for event in events {
            current += event.change
            if current > capacity { return event.at }
        }
        return nil
    }

    /// Every active booking of every resource in the window, paged, `queryRangeDaysMax` days at a time, with
    /// requests pipelined on one connection.
    /// By resource, then booking number.
    private func listEverything() async throws -> [[UInt64: Listed]] {
        var listed = Array(repeating: [UInt64: Listed](), count: plan.resources.count)
        let windowDays = 92
        try await SlotConnection.withConnection(to: endpoint) { client in
            for windowStart in stride(from: 0, to: plan.days, by: windowDays) {
                let from = plan.firstDaySeconds + Int64(windowStart) * 86_400
                let to = plan.firstDaySeconds + Int64(min(plan.days, windowStart + windowDays)) * 86_400
                // Each resource's next page: nil `after` for the first one.
                var pages: [(resource: Int, after: String?)] = plan.resources.indices.map { ($0, nil) }
                while !pages.isEmpty {
                    let batch = Array(pages.prefix(256))
                    pages.removeFirst(batch.count)
                    let requests: [JSONValue] = batch.map { page in
                        var object: [String: JSONValue] = [
                            "op": "list_bookings", "resource": .string(plan.resources[page.resource]),
                            "from": .string(RequestText.time(from)), "to": .string(RequestText.time(to)),
                            "limit": 10_000,
                        ]
                        if let after = page.after { object["after"] = .string(after) }
                        return .object(object)
                    }
                    let replies = try await client.pipeline(requests)
                    for (page, reply) in zip(batch, replies) {
                        guard reply.ok else { throw VerificationFailed("list_bookings failed: \(reply)") }
                        let bookings = reply["bookings"]?.array ?? []
                        for booking in bookings {
                            guard let id = booking["id"]?.string,
                                let sequence = BookingID(parsing: id)?.sequence,
                                let start = booking["start"]?.string.flatMap(RFC3339.parse),
                                let end = booking["end"]?.string.flatMap(RFC3339.parse)
                            else { continue }
                            listed[page.resource][sequence] = Listed(
                                start: start.instant.secondsSinceEpoch, end: end.instant.secondsSinceEpoch)
                        }
                        if reply["truncated"] == true, let last = bookings.last?["id"]?.string {
                            pages.append((page.resource, last))
                        }
                    }
                }
            }
        }
        return listed
    }
}

struct VerificationFailed: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
