import SlotDomain
import SlotWire

/// The traffic mixes slotload knows. Each picks what a connection sends next.
enum Scenario: String, Sendable, CaseIterable {
    /// `book` random slots over all resources: little contention.
    case uniform
    /// 90 % of requests go to 1 % of the resources.
    case hot
    /// Every connection races for the same slot of one resource, round after round: exactly `capacity` win each.
    case flashSale = "flash-sale"
    /// hold → confirm (or let lapse), cancel, reschedule, availability queries.
    case mixed
    /// Read-heavy: 90 % `availability`, 10 % `book`.
    case availability
}

/// What every connection shares: the resources, the window of days it books in, and the slot grid.
struct Plan: Sendable {
    let scenario: Scenario
    let resources: [String]
    let firstDaySeconds: Int64
    let days: Int
    let slotSeconds: Int64
    /// The first `hotCount` resources take 90 % of the `hot` scenario's requests.
    let hotCount: Int

    var slotsPerResource: Int { days * Int(86_400 / slotSeconds) }

    func slotStart(_ index: Int) -> Int64 { firstDaySeconds + Int64(index) * slotSeconds }

    func resourceIndex(using random: inout some RandomNumberGenerator) -> Int {
        switch scenario {
        case .hot where resources.count > hotCount:
            Int.random(in: 0..<100, using: &random) < 90
                ? Int.random(in: 0..<hotCount, using: &random)
                : Int.random(in: hotCount..<resources.count, using: &random)
        case .flashSale: 0
        default: Int.random(in: 0..<resources.count, using: &random)
        }
    }

    func randomSlot(using random: inout some RandomNumberGenerator) -> Int {
        Int.random(in: 0..<slotsPerResource, using: &random)
    }
}

/// Request lines, written by hand: slotload must spend as little CPU per request as it can.
enum RequestText {
    static func time(_ seconds: Int64) -> String { RFC3339.format(Instant(secondsSinceEpoch: seconds)) }

    static func booking(_ op: String, resource: String, start: Int64, end: Int64, customer: String) -> String {
        "{\"op\":\"\(op)\",\"resource\":\"\(resource)\",\"start\":\"\(time(start))\",\"end\":\"\(time(end))\","
            + "\"customer\":\"\(customer)\"}\n"
    }

    static func move(_ op: String, booking: String) -> String {
        "{\"op\":\"\(op)\",\"booking\":\"\(booking)\"}\n"
    }

    static func reschedule(booking: String, start: Int64, end: Int64) -> String {
        "{\"op\":\"reschedule\",\"booking\":\"\(booking)\",\"start\":\"\(time(start))\",\"end\":\"\(time(end))\"}\n"
    }

    static func availability(resource: String, from: Int64, durationMinutes: Int) -> String {
        "{\"op\":\"availability\",\"resource\":\"\(resource)\",\"from\":\"\(time(from))\","
            + "\"to\":\"\(time(from + 86_400))\",\"duration_minutes\":\(durationMinutes)}\n"
    }
}
