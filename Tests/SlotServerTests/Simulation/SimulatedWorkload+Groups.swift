import SlotClient
import SlotDomain

/// The request builders for groups and batches: the group ops on groups made earlier (and single-booking changes
/// of their members, which are refused), and batches of 2 to 5 ops over one to three resources, atomic (all or
/// nothing, some refused) or each op on its own.
extension SimulatedWorkload {
    /// `confirm_group`, `cancel_group`, `reschedule_group` and `get_group` on a group made earlier (now and then
    /// one that does not exist), or a single confirm, cancel or reschedule of a member: `group_member`.
    mutating func groupRequest(now: Instant) -> JSONValue {
        let group = pickID(groups, or: "\(anyResource().id)/g1")
        let lead = resources.first { group.hasPrefix($0.id + "/") } ?? resources[0]
        var fields: [String: JSONValue] = ["group": .string(group)]
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<3:
            fields["op"] = "confirm_group"
        case 3..<5:
            fields["op"] = "cancel_group"
            if Bool.random(using: &random) { fields["reason"] = "plans changed" }
        case 5..<7:
            fields.merge(lead.rangeFields(lead.range(after: now, using: &random), using: &random)) { _, new in new }
            fields["op"] = "reschedule_group"
        case 7:
            return finish(["op": "get_group", "group": .string(group)])
        default:
            let member = pickID(groupMembers[group] ?? [], or: "\(lead.id)/1")
            fields = ["op": pick(["confirm", "cancel", "reschedule"]), "booking": .string(member)]
            if fields["op"] == "reschedule" {
                fields.merge(lead.rangeFields(lead.range(after: now, using: &random), using: &random)) { _, new in new }
            }
        }
        if Int.random(in: 0..<4, using: &random) == 0 { fields["actor"] = "front-desk" }
        return finish(fields, keyed: true)
    }

    /// A batch of 2 to 5 ops over one to three resources: two in three atomic (keyed now and then, as a whole),
    /// the others each op on its own (reads and group ops among them, some keyed op by op).
    mutating func batchRequest(now: Instant) -> JSONValue {
        let atomic = Int.random(in: 0..<3, using: &random) > 0
        var chosen: [SimulatedResource] = []
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let resource = anyResource()
            if !chosen.contains(where: { $0.id == resource.id }) { chosen.append(resource) }
        }
        var ops: [JSONValue] = []
        while ops.count < Int.random(in: 2...5, using: &random) {
            ops += batchOps(on: pick(chosen), now: now, atomic: atomic)
        }
        for index in ops.indices where Int.random(in: 0..<3, using: &random) == 0 {
            guard case .object(var op) = ops[index] else { continue }
            op["id"] = Bool.random(using: &random) ? .number(Double(index)) : .string("op\(index)")
            ops[index] = .object(op)
        }
        return finish(["op": "batch", "atomic": .bool(atomic), "ops": .array(ops)], keyed: atomic)
    }

    /// One op of a batch about `resource` (or two: a hold and the confirmation of the booking it should make).
    private mutating func batchOps(on resource: SimulatedResource, now: Instant, atomic: Bool) -> [JSONValue] {
        let id = JSONValue.string(resource.id)
        let own = bookings.filter { $0.hasPrefix(resource.id + "/") }
        switch Int.random(in: 0..<12, using: &random) {
        case 0..<3:
            var fields = resource.rangeFields(resource.range(after: now, using: &random), using: &random)
            fields["op"] = Bool.random(using: &random) ? "hold" : "book"
            fields["resource"] = id
            fields["customer"] = .string("b\(Int.random(in: 0..<3, using: &random))")
            return [inner(fields, atomic: atomic)]
        case 3:
            // The booking the hold should make, if the workload knows every booking of the resource.
            let next = (own.compactMap { $0.split(separator: "/").last.flatMap { UInt64($0) } }.max() ?? 0) + 1
            var fields = resource.rangeFields(resource.range(after: now, using: &random), using: &random)
            fields["op"] = "hold"
            fields["resource"] = id
            fields["customer"] = "b-confirmed"
            return [
                inner(fields, atomic: atomic),
                inner(["op": "confirm", "booking": .string("\(resource.id)/\(next)")], atomic: atomic),
            ]
        case 4..<6:
            return [inner(["op": "confirm", "booking": .string(pickID(own, or: "\(resource.id)/1"))], atomic: atomic)]
        case 6..<8:
            return [inner(["op": "cancel", "booking": .string(pickID(own, or: "\(resource.id)/1"))], atomic: atomic)]
        case 8..<10:
            guard case .object(var fields) = ruleChange(now: now, on: resource) else { return [] }
            fields["id"] = nil
            return [inner(fields, atomic: atomic)]
        case 10 where !atomic:
            return [["op": "get_group", "group": .string(pickID(groups, or: "\(resource.id)/g1"))]]
        default:
            guard !atomic else {
                return [["op": "waitlist_leave", "entry": .string(pickID(entries, or: "\(resource.id)/w1"))]]
            }
            return [["op": "get_booking", "booking": .string(pickID(own, or: "\(resource.id)/1"))]]
        }
    }

    /// An op of a batch as sent: in a batch that is not atomic, keyed now and then on its own.
    private mutating func inner(_ fields: [String: JSONValue], atomic: Bool) -> JSONValue {
        var fields = fields
        fields["idempotency_key"] = nil
        if !atomic && Int.random(in: 0..<4, using: &random) == 0 {
            requestsMade += 1
            fields["idempotency_key"] = .string("k\(requestsMade)")
        }
        return .object(fields)
    }
}
