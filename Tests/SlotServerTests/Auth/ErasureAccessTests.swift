import Foundation
import SlotClient
import SlotTesting
import Testing

/// With authentication required: a client token bound to an erased customer loses access at its connection's next
/// request (decision 0022), and only an admin may erase.
@Suite struct ErasureAccessTests {
    @Test func aBoundClientLosesAccessAtItsNextRequestAndOnlyAnAdminErases() async throws {
        try await AuthFixture.run { fixture in
            let alice = CustomerErasureProtocolTests.alice
            let clientSecret = try await fixture.token("alice-app", role: "client", extra: ["customer": .string(alice)])
            let operatorSecret = try await fixture.token("ops", role: "operator")
            let created = try await fixture.connect { admin in try await admin.call(Requests.createResource("dr-smith"))
            }
            #expect(created.ok, "\(created)")
            try await fixture.connect(as: clientSecret) { client in
                let booked = try await client.call([
                    "op": "book", "resource": "dr-smith", "start": "2027-01-05T10:00:00Z",
                    "end": "2027-01-05T10:30:00Z",
                ])
                #expect(booked["booking"]?["customer"] == .string(alice), "\(booked)")
                try await fixture.connect(as: operatorSecret) { ops in
                    let refused = try await ops.call(["op": "erase_customer", "customer": .string(alice)])
                    #expect(refused.errorCode == "forbidden", "\(refused)")
                }
                try await fixture.connect { admin in
                    let erased = try await admin.call(["op": "erase_customer", "customer": .string(alice)])
                    #expect(erased["erased"]?["bookings"] == 1, "\(erased)")
                    #expect(erased["erased"]?["tokens"] == 1)
                }
                let after = try await client.call(["op": "get_booking", "booking": "dr-smith/1"])
                #expect(after.errorCode == "unauthenticated", "\(after)")
            }
            try await fixture.connect(as: operatorSecret) { ops in
                let booking = try await ops.call(["op": "get_booking", "booking": "dr-smith/1"])
                #expect(booking["booking"]?["customer"] == "", "\(booking)")
            }
        }
    }
}
