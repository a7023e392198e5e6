import Foundation
import SlotClient
import SlotTesting
import Testing

/// Group `book`s race clients that guess the ids the groups will get (they are easy to guess): one cancels every
/// member on its own (refused, `group_member`) and every group as a whole with `cancel_group`, another holds the
/// same slots on one of the resources. Whoever wins each race, every group ends uniform (all members in one
/// state), no slot holds more than its capacity, and the process keeps running.
@Suite struct GroupBookingRaceTests {
    static let groups = 40

    static func start(_ index: Int) -> (String, String) {
        let base = Date().addingTimeInterval(86_400 * 2).timeIntervalSince1970
        let day = Date(timeIntervalSince1970: (base / 86_400).rounded(.down) * 86_400)
        let formatter = ISO8601DateFormatter()
        let start = day.addingTimeInterval(Double(index) * 900)
        return (formatter.string(from: start), formatter.string(from: start.addingTimeInterval(900)))
    }

    /// The attackers' requests, each pipelined `rounds` times: a cancel of every member id, a `cancel_group` of
    /// every group id, and a single hold on `b` of every other slot the groups want.
    static func attacks(port: Int) -> [@Sendable () async throws -> [JSONValue]] {
        let cancels = (1...groups).map { Requests.move("cancel", "b/\($0)") }
        let groupCancels: [JSONValue] = (1...groups).map { ["op": "cancel_group", "group": .string("a/g\($0)")] }
        // Only the even slots: the odd ones are left for the groups, so that some group is surely booked.
        let holds = stride(from: 0, to: groups, by: 2).map { index -> JSONValue in
            let (start, end) = Self.start(index)
            return Requests.hold("b", start, end, customer: "mallory")
        }
        return [cancels, groupCancels, holds].map { requests in
            {
                try await SlotConnection.withConnection(port: port) { attacker in
                    var replies: [JSONValue] = []
                    for _ in 0..<10 { replies += try await attacker.pipeline(requests) }
                    return replies
                }
            }
        }
    }

    @Test func groupsRacingCancelsAndSingleHoldsEndUniformAndWithinCapacity() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await SlotdProcess(dataDirectory: directory)
        try await SlotConnection.withConnection(port: server.port) { (client: SlotConnection) async throws in
            for resource in ["a", "b"] {
                #expect(try await client.call(Requests.createResource(resource))["ok"] == true)
            }
        }
        let before = try #require(server.cost)
        let ((groupReplies, attackReplies), probe) = try await PingProbe.whilePinging(port: server.port) {
            try await withThrowingTaskGroup(of: (groups: [JSONValue], attacks: [JSONValue]).self) { tasks in
                for attack in Self.attacks(port: server.port) { tasks.addTask { ([], try await attack()) } }
                tasks.addTask {
                    try await SlotConnection.withConnection(port: server.port) { client in
                        var replies: [JSONValue] = []
                        for index in 0..<Self.groups {
                            let (start, end) = Self.start(index)
                            replies.append(
                                try await client.call([
                                    "op": "book", "resources": ["a", "b"], "customer": "c", "start": .string(start),
                                    "end": .string(end),
                                ]))
                        }
                        return (replies, [])
                    }
                }
                var all: (groups: [JSONValue], attacks: [JSONValue]) = ([], [])
                for try await replies in tasks {
                    all.groups += replies.groups
                    all.attacks += replies.attacks
                }
                return all
            }
        }
        #expect(server.process.isRunning)
        #expect(groupReplies.count == Self.groups)
        Self.checkAttackReplies(attackReplies)
        try await SlotConnection.withConnection(port: server.port) { client in
            try await Self.checkGroupsUniform(groupReplies, client)
            try await Self.checkCapacity(client)
        }
        let after = try #require(server.cost)
        // 40 groups and 1,000 attacking requests: far below 10 s of CPU and 64 MiB, generous for a busy machine.
        after.expectGrowth(since: before, cpuSecondsMax: 10, residentBytesGrowthMax: 64 << 20)
        // A ping waits behind at most one pipelined burst of 40 small requests.
        await probe.expectServed()
        #expect(try await server.terminate() == 0)
    }

    /// A single cancel never touches a member: it is refused naming the group, or it is about one of the single
    /// holds (or about nothing yet).
    static func checkAttackReplies(_ replies: [JSONValue]) {
        for reply in replies where reply.errorCode == "group_member" {
            #expect(reply["error"]?["group"]?.string?.hasPrefix("a/g") == true, "\(reply)")
        }
        let expected: Set<String> = ["group_member", "not_found", "invalid_transition", "slot_unavailable"]
        for reply in replies where !reply.ok {
            #expect(expected.contains(reply.errorCode ?? ""), "\(reply)")
        }
    }

    /// Every group booked has both members in the group's one state, confirmed or canceled as a whole; a refused
    /// one names the busy member's resource.
    static func checkGroupsUniform(_ replies: [JSONValue], _ client: SlotConnection) async throws {
        for reply in replies {
            guard reply.ok else {
                #expect(reply.errorCode == "slot_unavailable" && reply["error"]?["resource"] == "b", "\(reply)")
                continue
            }
            let id = try #require(reply["group"]?["id"])
            #expect(reply["group"]?["state"] == "confirmed", "\(reply)")
            let group = try await client.call(["op": "get_group", "group": id])["group"]
            let states = group?["bookings"]?.array?.map { $0["state"]?.string } ?? []
            #expect(states.count == 2 && Set(states).count == 1, "\(String(describing: group))")
            #expect(["confirmed", "canceled"].contains(group?["state"]?.string), "\(String(describing: group))")
            for member in group?["bookings"]?.array ?? [] {
                let booking = try await client.call(["op": "get_booking", "booking": member["id"] ?? .null])
                #expect(booking["booking"]?["state"] == group?["state"], "\(booking)")
                #expect(booking["booking"]?["group"] == id)
                let cancel = try await client.call(Requests.move("cancel", member["id"]?.string ?? ""))
                #expect(cancel.errorCode == "group_member" && cancel["error"]?["group"] == id, "\(cancel)")
            }
        }
        #expect(replies.count(where: \.ok) >= groups / 2, "every odd slot is left for a group")
    }

    /// Each resource has capacity 1: no slot holds two active bookings.
    static func checkCapacity(_ client: SlotConnection) async throws {
        let (from, _) = start(0)
        let (_, to) = start(groups)
        for resource in ["a", "b"] {
            let listed = try await client.call(
                ["op": "list_bookings", "resource": .string(resource), "from": .string(from), "to": .string(to)])
            let active = listed["bookings"]?.array?.filter {
                $0["state"] == "confirmed" || $0["state"] == "pending_confirmation"
            }
            let starts = active?.compactMap { $0["start"]?.string } ?? []
            #expect(Set(starts).count == starts.count, "\(resource): \(listed)")
        }
    }
}
