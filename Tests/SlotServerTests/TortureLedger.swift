import Foundation
import SlotClient

/// What the torture clients were told, kept on the client side to check the server against after each crash.
actor TortureLedger {
    struct Acknowledged {
        var state: String
        var start: String
        var end: String
    }

    private(set) var acknowledged: [String: Acknowledged] = [:]
    /// Requests sent whose reply never came: retried with the same idempotency key after the restart.
    private(set) var unanswered: [String: JSONValue] = [:]
    /// Successful replies by idempotency key, with the request: a retry must get the same reply.
    private(set) var answered: [String: (request: JSONValue, reply: JSONValue)] = [:]
    private(set) var acknowledgedOperations = 0

    func sent(key: String, request: JSONValue) { unanswered[key] = request }

    func received(key: String, request: JSONValue, reply: JSONValue) {
        unanswered[key] = nil
        guard reply.ok, let booking = reply["booking"], let id = booking["id"]?.string else { return }
        acknowledgedOperations += 1
        answered[key] = (request, reply)
        acknowledged[id] = Acknowledged(
            state: booking["state"]?.string ?? "", start: booking["start"]?.string ?? "",
            end: booking["end"]?.string ?? "")
    }

    /// Retried requests that now answer with an error were simply decided again: nothing to remember.
    func forget(key: String) { unanswered[key] = nil }

    func bookings(in states: Set<String>) -> [String] {
        acknowledged.filter { states.contains($0.value.state) }.map(\.key)
    }

    func sampleAnswered(_ count: Int) -> [(key: String, request: JSONValue, reply: JSONValue)] {
        answered.shuffled().prefix(count).map { ($0.key, $0.value.request, $0.value.reply) }
    }
}

/// Which later states an acknowledged state may have moved to (by requests whose replies were lost).
enum TortureRules {
    static let successors: [String: Set<String>] = [
        "pending_confirmation": ["pending_confirmation", "confirmed", "rescheduled", "canceled", "expired"],
        "confirmed": ["confirmed", "rescheduled", "canceled"],
        "rescheduled": ["rescheduled", "canceled"],
        "canceled": ["canceled"],
    ]
}
