import Foundation
import SlotClient
import Testing

/// After a restart: the server against what the group crash clients were told. Every group uniform and in the
/// state last acknowledged (or the one its request in flight would have given), every acknowledged batch there,
/// every refused one absent, every one in doubt wholly there or wholly absent and then, retried under its key,
/// answered as what is there; no booking nobody asked for, no slot over capacity.
struct GroupCrashCheck {
    struct Totals {
        var cycles = 0
        var partial = 0
        var lost = 0
        var unexplained = 0
        var overCapacity = 0
        /// Requests in flight at a kill, by kind (group hold, group change, batch), and how many had been applied.
        var inDoubt: [String: Int] = [:]
        var inDoubtApplied: [String: Int] = [:]
        var retriesChecked = 0
    }

    let client: SlotConnection
    let cycle: Int
    var totals: Totals
    /// Active bookings by customer, over every resource.
    var byCustomer: [String: [JSONValue]] = [:]

    mutating func problem(_ count: WritableKeyPath<Totals, Int>, _ text: String) {
        totals[keyPath: count] += 1
        Issue.record("cycle \(cycle): \(text)")
    }

    mutating func verify(_ ledgers: inout [GroupCrashLedger]) async throws {
        try await listBookings(ledgers)
        for index in ledgers.indices {
            try await checkGroups(ledgers[index])
            try await checkBookings(ledgers[index])
            for customer in ledgers[index].absentCustomers where byCustomer[customer] != nil {
                problem(\.partial, "\(customer) was refused but has \(byCustomer[customer]!)")
            }
        }
        for index in ledgers.indices { try await settle(&ledgers[index]) }
        for ledger in ledgers {
            for (request, first) in ledger.answered.shuffled().prefix(4) {
                let again = try await client.call(request)
                if again != first { problem(\.lost, "retry of \(request) answered \(again), first \(first)") }
                totals.retriesChecked += 1
            }
        }
    }

    /// Lists every resource's active bookings: none over capacity, each one explained by what a client was told.
    private mutating func listBookings(_ ledgers: [GroupCrashLedger]) async throws {
        var explained = Set<String>()
        for ledger in ledgers {
            explained.formUnion(ledger.groups.keys)
            explained.formUnion(ledger.bookings.keys)
            switch ledger.inFlight {
            case .groupHold(_, _, let customer, _)?: explained.insert(customer)
            case .batch(_, _, let customers, _)?: explained.formUnion(customers)
            case .groupChange?, nil: break
            }
        }
        for resource in GroupCrashLoad.resources {
            let listed = try await client.call([
                "op": "list_bookings", "resource": .string(resource), "from": .string(GroupCrashLoad.listFrom),
                "to": .string(GroupCrashLoad.listTo), "limit": 10_000,
            ])
            let bookings = try #require(listed["bookings"]?.array, "\(listed)")
            for booking in bookings {
                let customer = booking["customer"]?.string ?? ""
                byCustomer[customer, default: []].append(booking)
                let known = [booking["group"]?.string, booking["id"]?.string, customer].contains {
                    $0.map { explained.contains($0) } ?? false
                }
                if !known { problem(\.unexplained, "\(booking) exists but no client was told of it") }
            }
            let starts = bookings.compactMap { $0["start"]?.string }
            for start in starts {
                let covering = bookings.filter {
                    ($0["start"]?.string ?? "") <= start && start < ($0["end"]?.string ?? "")
                }
                if covering.count > GroupCrashLoad.capacity { problem(\.overCapacity, "\(resource) at \(start)") }
            }
        }
    }

    /// Every group the client knows: uniform, and as acknowledged or as its change in flight would leave it.
    private mutating func checkGroups(_ ledger: GroupCrashLedger) async throws {
        for group in ledger.groups.values {
            guard let found = try await uniformGroup(group.id, members: group.members) else { continue }
            var allowed = [[group.state, group.start, group.end]]
            if case .groupChange(_, _, group.id, let state, let start, let end)? = ledger.inFlight {
                allowed.append([state, start, end])
            }
            if !allowed.contains(found) { problem(\.lost, "group \(group.id) is \(found), acknowledged \(group)") }
        }
    }

    /// The group's state and range, once checked to be the same for every member; nil if it is not.
    private mutating func uniformGroup(_ id: String, members: Int) async throws -> [String]? {
        let reply = try await client.call(["op": "get_group", "group": .string(id)])
        let bookings = reply["group"]?["bookings"]?.array ?? []
        let states = Set(bookings.map { $0["state"]?.string ?? "" })
        let ranges = Set(bookings.map { [$0["start"]?.string ?? "", $0["end"]?.string ?? ""] })
        let groups = Set(bookings.map { $0["group"]?.string ?? "" })
        guard reply.ok, bookings.count == members, states.count == 1, ranges.count == 1, groups == [id],
            reply["group"]?["state"]?.string == states.first
        else {
            problem(\.partial, "group \(id) with \(members) members is not uniform: \(reply)")
            return nil
        }
        return [states.first!] + ranges.first!
    }

    private mutating func checkBookings(_ ledger: GroupCrashLedger) async throws {
        var canceling: String?
        if case .batch(_, _, _, let id)? = ledger.inFlight { canceling = id }
        for (id, acknowledged) in ledger.bookings {
            let reply = try await client.call(["op": "get_booking", "booking": .string(id)])
            let state = reply["booking"]?["state"]?.string ?? "missing"
            if state != acknowledged, !(id == canceling && state == "canceled") {
                problem(\.lost, "\(id) acknowledged \(acknowledged), now \(state)")
            }
        }
    }

    /// The request in flight at the crash: wholly applied or wholly absent; then retried under its key, answered
    /// as what is there (applied: the same bookings again; absent: decided now).
    private mutating func settle(_ ledger: inout GroupCrashLedger) async throws {
        guard let inFlight = ledger.inFlight else { return }
        let kind: String
        switch inFlight {
        case .groupHold: kind = "group_hold"
        case .groupChange(_, let request, _, _, _, _): kind = request["op"]?.string ?? "?"
        case .batch: kind = "batch"
        }
        totals.inDoubt[kind, default: 0] += 1
        let request: JSONValue
        var expected: [String]?
        switch inFlight {
        case .groupHold(_, let sent, let customer, let members):
            request = sent
            let found = byCustomer[customer] ?? []
            let groups = Set(found.map { $0["group"]?.string ?? "" })
            if !found.isEmpty {
                if found.count != members || groups.count != 1 {
                    problem(\.partial, "group hold in doubt left \(found)")
                } else if try await uniformGroup(groups.first!, members: members) != nil {
                    expected = [groups.first!]
                }
            }
        case .groupChange(_, let sent, let group, let state, let start, let end):
            request = sent
            let now = try await uniformGroup(group, members: ledger.groups[group]?.members ?? 0)
            if now == [state, start, end] { expected = [group] }
        case .batch(_, let sent, let customers, let canceling):
            request = sent
            let found = customers.map { byCustomer[$0] ?? [] }
            // Whether the cancel shows: nil when the booking was canceled already, and the batch must be refused.
            var cancelShows: Bool?
            if let canceling, ledger.bookings[canceling] != "canceled" {
                let booking = try await client.call(["op": "get_booking", "booking": .string(canceling)])
                cancelShows = booking["booking"]?["state"] == "canceled"
            }
            let mustBeRefused = canceling != nil && cancelShows == nil
            if found.allSatisfy(\.isEmpty) && cancelShows != true {
                break
            } else if found.allSatisfy({ $0.count == 1 }) && cancelShows != false && !mustBeRefused {
                expected = found.map { $0[0]["id"]?.string ?? "" }
            } else {
                problem(\.partial, "batch in doubt left \(found), its cancel shows: \(cancelShows as Any): \(sent)")
            }
        }
        let reply = try await client.call(request)
        if let expected {
            totals.inDoubtApplied[kind, default: 0] += 1
            if !reply.ok || Self.ids(reply).prefix(expected.count) != expected[...] {
                problem(\.lost, "retry of \(request) applied before the crash answered \(reply), not \(expected)")
            }
        }
        ledger.received(reply)
    }

    /// The group id of a group reply, or the booking ids of a batch reply.
    static func ids(_ reply: JSONValue) -> [String] {
        if let group = reply["group"]?["id"]?.string { return [group] }
        return (reply["results"]?.array ?? []).compactMap { $0["booking"]?["id"]?.string }
    }
}
