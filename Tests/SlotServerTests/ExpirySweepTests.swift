import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// The expiry sweeper visits only the resources with a hold due, through a real server's directory.
@Suite struct ExpirySweepTests {
    @Test func theSweepVisitsOnlyResourcesWithAHoldDue() async throws {
        let clock = ManualClock(TestServer.epoch)
        // The service's own sweeps (hourly here) stay out of the way: the test sweeps by hand.
        let configuration = TestServer.configuration { $0.expirySweepIntervalSeconds = 3_600 }
        try await TestServer.run(clock: clock, configuration: configuration) { server in
            let directory = server.runtime.directory
            try await server.connect { client in
                for (id, ttl) in [("short", 60), ("long", 600), ("confirmed", 60), ("idle", 60)] {
                    _ = try await client.call(
                        Requests.createResource(id, extra: ["hold_ttl_seconds": .number(Double(ttl))]))
                }
                for id in ["short", "long", "confirmed"] {
                    #expect(try await client.call(Requests.hold(id, "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z")).ok)
                }
                #expect(try await client.call(Requests.move("confirm", "confirmed/1")).ok)
                #expect(await ExpiryService.sweep(directory) == 0, "nothing is due yet")

                clock.advance(seconds: 60)
                // `short` expires; `confirmed` still has its stale heap entry, passed over on this one visit.
                #expect(await ExpiryService.sweep(directory) == 2)
                #expect(await ExpiryService.sweep(directory) == 0, "each was swept once")
                let short = try await client.call(["op": "get_booking", "booking": "short/1"])
                #expect(short["booking"]?["state"] == "expired")

                clock.advance(seconds: 540)
                #expect(await ExpiryService.sweep(directory) == 1, "the long hold is due now")
                #expect(await ExpiryService.sweep(directory) == 0)

                // A hold placed later is published too.
                #expect(try await client.call(Requests.hold("idle", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z")).ok)
                clock.advance(seconds: 60)
                #expect(await ExpiryService.sweep(directory) == 1)
            }
        }
    }
}
