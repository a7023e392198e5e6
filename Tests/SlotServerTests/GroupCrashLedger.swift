import Foundation
import SlotClient

/// What one client of the group crash load was told. Each client works only on the groups and bookings it made
/// itself, one request at a time, so at a crash at most one of its requests is in doubt (`inFlight`), and every
/// other fact here is exact.
struct GroupCrashLedger: Sendable {
    struct Group: Sendable {
        var id: String
        var members: Int
        var state: String
        var start: String
        var end: String
    }

    /// A request sent whose reply never came, and what it would have changed.
    enum InFlight: Sendable {
        /// A multi-resource hold or book: its members carry `customer`.
        case groupHold(key: String, request: JSONValue, customer: String, members: Int)
        /// A group op on `group`: the state and range the group has if it was applied.
        case groupChange(key: String, request: JSONValue, group: String, state: String, start: String, end: String)
        /// An atomic batch: two books (customers `customers`) and maybe a cancel of `canceling`.
        case batch(key: String, request: JSONValue, customers: [String], canceling: String?)
    }

    let client: Int
    var groups: [String: Group] = [:]
    /// The single bookings the client's batches made, by id, with their acknowledged state.
    var bookings: [String: String] = [:]
    /// Customers that must not appear on any booking: those of refused group holds and refused batches.
    var absentCustomers: [String] = []
    var inFlight: InFlight?
    /// Keyed requests that succeeded, with their reply: a retry must get the same reply.
    var answered: [(request: JSONValue, reply: JSONValue)] = []
    var acknowledged = 0
    var refusedBatches = 0
    var acknowledgedBatches = 0

    init(client: Int) { self.client = client }

    /// Records the reply to the request in flight.
    mutating func received(_ reply: JSONValue) {
        guard let inFlight else { return }
        self.inFlight = nil
        switch inFlight {
        case .groupHold(_, let request, let customer, _):
            guard reply.ok else { return absentCustomers.append(customer) }
            record(group: reply["group"], request: request, reply: reply)
        case .groupChange(_, let request, _, _, _, _):
            if reply.ok { record(group: reply["group"], request: request, reply: reply) }
        case .batch(_, let request, let customers, _):
            guard reply.ok else {
                refusedBatches += 1
                absentCustomers += customers
                return
            }
            acknowledgedBatches += 1
            for result in reply["results"]?.array ?? [] {
                if let id = result["booking"]?["id"]?.string { bookings[id] = result["booking"]?["state"]?.string }
            }
            answer(request, reply)
        }
    }

    private mutating func record(group: JSONValue?, request: JSONValue, reply: JSONValue) {
        guard let group, let id = group["id"]?.string, let first = group["bookings"]?[0] else { return }
        groups[id] = Group(
            id: id, members: group["bookings"]?.array?.count ?? 0, state: group["state"]?.string ?? "",
            start: first["start"]?.string ?? "", end: first["end"]?.string ?? "")
        answer(request, reply)
    }

    private mutating func answer(_ request: JSONValue, _ reply: JSONValue) {
        acknowledged += 1
        answered.append((request, reply))
    }
}
