import SlotDomain

/// The group ops: `get_group`, `confirm_group`, `cancel_group`, `reschedule_group` (docs/PROTOCOL.md).
extension OperationDecoder {
    static let groupFields: [String: Set<String>] = {
        let change: Set<String> = ["group", "actor", "idempotency_key", "tz"]
        return [
            "get_group": ["group", "tz"],
            "confirm_group": change,
            "cancel_group": change.union(["reason"]),
            "reschedule_group": change.union(["fold", "start", "end", "start_local", "end_local"]),
        ]
    }()

    static func groupOperation(_ op: String, _ reader: inout FieldReader) throws(WireError) -> Operation {
        let group = try reader.group()
        let action: BookingAction
        switch op {
        case "get_group": return .getGroup(group)
        case "confirm_group": action = .confirm
        case "cancel_group":
            action = .cancel(reason: try reader.optionalString("reason", maxBytes: reader.limits.reasonMaxBytes))
        case "reschedule_group":
            let start = try reader.instant("start", boundary: true)
            let end = try reader.instant("end", boundary: true)
            action = .reschedule(TimeRange(start: start, end: end))
        default: preconditionFailure("op \(op) is not a group op")
        }
        let actor = try reader.actor()
        let stamp = try reader.idempotency(fingerprint: MutationFingerprint.group(op, group, action, actor: actor))
        return .groupTransition(group, action, actor: actor, idempotency: stamp)
    }
}

extension FieldReader {
    mutating func group() throws(WireError) -> GroupID {
        let text = try string("group", maxBytes: limits.resourceIDMaxLength + 24)
        guard let group = GroupID(parsing: text) else {
            throw .invalid("group", "must be a group id such as room-a/g3")
        }
        return group.inTenant(tenant)
    }
}

extension MutationFingerprint {
    static func group(_ op: String, _ group: GroupID, _ action: BookingAction, actor: String) -> String {
        var parts = [op, group.description, actor]
        switch action {
        case .cancel(let reason): parts.append(reason ?? "")
        case .reschedule(let range):
            parts += [String(range.start.secondsSinceEpoch), String(range.end.secondsSinceEpoch)]
        case .confirm, .complete, .noShow: break
        }
        return parts.joined(separator: "\u{1F}")
    }

    /// A multi-resource or pool `hold`/`book`.
    static func holdMany(_ resources: [ResourceID], _ command: HoldCommand, pool: Bool) -> String {
        [
            command.confirm ? "book" : "hold", pool ? "pool" : "resources",
            resources.map(\.rawValue).joined(separator: ","), String(command.range.start.secondsSinceEpoch),
            String(command.range.end.secondsSinceEpoch), command.customer, command.ttlSeconds.map(String.init) ?? "",
            command.actor,
        ].joined(separator: "\u{1F}")
    }
}
