import SlotClient
import SlotDomain
import SlotTesting

/// Group ops and batches of `RandomMutations`.
extension RandomMutations {
    /// A group op on a group made earlier, or a single-booking change of one of its members (`group_member`).
    mutating func groupOperation(start: String, end: String) -> JSONValue {
        let group = JSONValue.string(pick(groups) ?? "a/g1")
        switch Int.random(in: 0..<8, using: &random) {
        case 0, 1: return ["op": "confirm_group", "group": group]
        case 2: return ["op": "cancel_group", "group": group, "reason": "plans changed"]
        case 3, 4: return ["op": "reschedule_group", "group": group, "start": .string(start), "end": .string(end)]
        case 5: return ["op": "get_group", "group": group]
        default:
            let member = pick(groupMembers[group.string ?? ""] ?? []) ?? "a/1"
            let op = pick(["confirm", "cancel", "reschedule"]) ?? "confirm"
            let extra: [String: JSONValue] = op == "reschedule" ? ["start": .string(start), "end": .string(end)] : [:]
            return Requests.move(op, member, extra: extra)
        }
    }

    /// Two to four ops over one to three resources: holds and books, confirmations and cancels (of bookings made
    /// earlier, or of the one a hold of the same batch should make), and rule changes. Atomic batches are refused
    /// as a whole when one op is; in the others each op stands alone, reads among them.
    mutating func batch(atomic: Bool) -> JSONValue {
        let chosen = Array(Self.resources.shuffled(using: &random).prefix(Int.random(in: 1...3, using: &random)))
        var ops: [JSONValue] = []
        for _ in 0..<Int.random(in: 2...4, using: &random) {
            let resource = pick(chosen) ?? "a"
            let (start, end) = range()
            let own = bookings.filter { $0.hasPrefix(resource + "/") }
            switch Int.random(in: 0..<8, using: &random) {
            case 0, 1:
                ops.append(Requests.hold(resource, start, end, op: Bool.random(using: &random) ? "hold" : "book"))
            case 2:
                let next = (own.compactMap { $0.split(separator: "/").last.flatMap { UInt64($0) } }.max() ?? 0) + 1
                ops.append(Requests.hold(resource, start, end, customer: "confirmed-in-batch"))
                ops.append(Requests.move("confirm", "\(resource)/\(next)"))
            case 3: ops.append(Requests.move("confirm", pick(own) ?? "\(resource)/1"))
            case 4: ops.append(Requests.move("cancel", pick(own) ?? "\(resource)/1"))
            case 5 where !atomic: ops.append(["op": "get_booking", "booking": .string(pick(own) ?? "\(resource)/1")])
            default: ops.append(ruleChange(resource, start: start, end: end))
            }
        }
        return ["op": "batch", "atomic": .bool(atomic), "ops": .array(ops)]
    }
}
