import SlotClient

/// The verdict on groups: no group partly in one state and partly in another. Each member is also a booking in the
/// ledger, so the checks on bookings (present as acknowledged, nothing unacknowledged, no instant over capacity)
/// count members as they count single bookings.
extension Verifier {
    /// `get_group` requests pipelined at once on the verifier's connection.
    static let groupsPerPipelineMax = 256

    /// What is wrong with any group of `groups`, as the server's `get_group` shows it after the run.
    func groupProblems(_ groups: [GroupEntry]) async throws -> [String] {
        guard !groups.isEmpty else { return [] }
        var problems: [String] = []
        try await SlotConnection.withConnection(to: endpoint) { client in
            for chunk in stride(from: 0, to: groups.count, by: Self.groupsPerPipelineMax) {
                let part = groups[chunk..<min(groups.count, chunk + Self.groupsPerPipelineMax)]
                let replies = try await client.pipeline(
                    part.map { ["op": "get_group", "group": .string($0.id)] })
                for (group, reply) in zip(part, replies) {
                    let members = group.members.map { plan.bookingID(resource: $0.resource, sequence: $0.sequence) }
                    if let problem = Self.groupProblem(group.id, members: members, reply: reply) {
                        problems.append(problem)
                    }
                }
            }
        }
        return problems
    }

    /// What is wrong with `reply`, the server's `get_group` of the group `id` that slotload saw created with
    /// `members` (booking ids); nil when nothing is. The group must show exactly those members, every one in the
    /// same state, and say that state as its own: slotload never marks attendance, so `mixed` is a failure too.
    static func groupProblem(_ id: String, members: [String], reply: JSONValue) -> String? {
        guard reply.ok, let group = reply["group"] else {
            return "get_group \(id) failed: \(reply.errorCode ?? "\(reply)")"
        }
        let bookings = group["bookings"]?.array ?? []
        let shown = bookings.map { $0["id"]?.string ?? "?" }
        guard shown.sorted() == members.sorted() else {
            return "group \(id) shows members \(shown.joined(separator: ", ")), "
                + "acknowledged \(members.joined(separator: ", "))"
        }
        let states = bookings.map { $0["state"]?.string ?? "?" }
        guard let common = states.first, states.allSatisfy({ $0 == common }) else {
            let each = zip(shown, states).map { "\($0) \($1)" }.joined(separator: ", ")
            return "group \(id) is partial: \(each)"
        }
        let said = group["state"]?.string ?? "?"
        return said == common ? nil : "group \(id) says \(said), but its members are all \(common)"
    }
}
