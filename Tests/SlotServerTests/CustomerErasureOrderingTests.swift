import Foundation
import SlotClient
import SlotDomain
import SlotServer
import SlotTesting
import Testing

/// Bookings for a customer made while the customer is being erased (decision 0022): on each resource the erasure
/// falls between two of them, so the erased ones come first; and a restart (the new snapshot, then the journal
/// after it) rebuilds exactly the live bookings.
@Suite struct CustomerErasureOrderingTests {
    static let alice = "Alice Example +49 170 1234567"
    static let resources = ["r1", "r2", "r3", "r4"]

    static func bookings(of server: TestServer) async -> [ResourceID: BookingTable] {
        let state = await server.runtime.directory.state()
        return state.resources.mapValues(\.schedule.bookings)
    }

    @Test func concurrentBookingsFallOnOneSideOfTheErasureLiveAndAfterRestart() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let live = try await TestServer.run(dataDirectory: directory) { server in
            try await server.connect { (client: SlotConnection) async throws in
                for resource in Self.resources { #expect(try await client.call(Requests.createResource(resource)).ok) }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for resource in Self.resources {
                    group.addTask {
                        try await server.connect { client in
                            for hour in 8..<20 {
                                let start = String(format: "2027-01-05T%02d:00:00Z", hour)
                                let end = String(format: "2027-01-05T%02d:30:00Z", hour)
                                let booked = try await client.call(
                                    Requests.hold(resource, start, end, op: "book", customer: Self.alice))
                                #expect(booked.ok, "\(booked)")
                            }
                        }
                    }
                }
                group.addTask {
                    try await server.connect { client in
                        // In the middle of the bookings, while they go on.
                        for _ in 0..<2_000 {
                            if try await client.call(["op": "get_booking", "booking": "r1/4"]).ok { break }
                            try await Task.sleep(for: .milliseconds(1))
                        }
                        let erased = try await client.call(["op": "erase_customer", "customer": .string(Self.alice)])
                        #expect(erased.ok, "\(erased)")
                    }
                }
                try await group.waitForAll()
            }
            return await Self.bookings(of: server)
        }
        for resource in Self.resources {
            let customers = try #require(live[ResourceID(resource)!]).values.map(\.customer)
            #expect(customers.count == 12)
            let erased = customers.prefix { $0 == CustomerErasure.placeholder }
            #expect(customers.dropFirst(erased.count).allSatisfy { $0 == Self.alice }, "\(resource): \(customers)")
            if resource == "r1" { #expect(erased.count >= 4, "r1/4 was booked before the erasure was sent") }
        }
        let restored = try await TestServer.run(dataDirectory: directory) { server in await Self.bookings(of: server) }
        #expect(restored == live)
    }
}
