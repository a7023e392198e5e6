import Foundation
import SlotClient
import SlotDomain
import SlotServer
import SlotTesting
import Testing

/// Seeded random group bookings from concurrent clients over overlapping resource sets: every acknowledged
/// group holds all of its resources, and nothing else is left behind (no partial hold from a refused group).
@Suite struct MultiResourceRandomTests {
    static let resources = ["a", "b", "c", "d", "e"]

    @Test(arguments: [11, 29] as [UInt64])
    func concurrentRandomGroupsLeaveNoPartialHolds(seed: UInt64) async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                for resource in Self.resources { _ = try await client.call(Requests.createResource(resource)) }
            }
            let acknowledged = try await withThrowingTaskGroup(of: [String].self) { group in
                for clientIndex in 0..<12 {
                    group.addTask {
                        var random = SplitMix64(seed: seed &* 1_000 &+ UInt64(clientIndex))
                        return try await server.connect { client in
                            var mine: [String] = []
                            for _ in 0..<12 {
                                let members = Array(
                                    Self.resources.shuffled(using: &random).prefix(
                                        Int.random(in: 2...3, using: &random)))
                                let hour = 10 + Int.random(in: 0..<3, using: &random)
                                let reply = try await client.call([
                                    "op": Bool.random(using: &random) ? "book" : "hold",
                                    "resources": .array(members.map { .string($0) }),
                                    "start": .string("2027-01-05T\(hour):00:00Z"),
                                    "end": .string("2027-01-05T\(hour):30:00Z"), "customer": "pat",
                                ])
                                if reply.ok {
                                    let group = reply["group"]
                                    let bookings = group?["bookings"]?.array ?? []
                                    let ids = bookings.compactMap { $0["id"]?.string }
                                    #expect(ids.count == members.count, "a group reply names every member")
                                    #expect(Set(bookings.compactMap { $0["resource"]?.string }) == Set(members))
                                    #expect(bookings.allSatisfy { $0["group"] == group?["id"] }, "\(reply)")
                                    #expect(group?["id"]?.string == ids.min().map { $0.replacing("/", with: "/g") })
                                    mine += ids
                                } else {
                                    #expect(reply.errorCode == "slot_unavailable", "\(reply)")
                                }
                            }
                            return mine
                        }
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.formUnion($1) }
            }
            #expect(!acknowledged.isEmpty)
            try await server.connect { (client: SlotConnection) async throws in
                var active = Set<String>()
                for resource in Self.resources {
                    let listed = try await MultiResourceBookingTests.active(client, resource)
                    active.formUnion(listed.compactMap { $0["id"]?.string })
                }
                #expect(active == acknowledged, "exactly the acknowledged group bookings are active")
            }
        }
    }
}
