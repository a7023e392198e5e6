import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// `mixed`'s groups against a real server: their members count in the verdict as bookings do.
extension SlotloadTests {
    /// Another client cancels one of slotload's groups behind its back: both members vanish while slotload still
    /// holds them as acknowledged (held or confirmed), and the run fails on them.
    @Test func cancelingOneOfItsGroupsBehindItsBackFailsTheVerdict() async throws {
        try await TestServer.run(clock: SystemClock()) { server in
            async let load = ToolProcess.run(
                "slotload",
                [
                    "--port", String(server.port), "--scenario", "mixed", "--duration-seconds", "20", "-c", "2",
                    "--resources", "3",
                ], timeoutSeconds: 60)
            var canceled: [String] = []
            try await server.connect { client in
                // Bounded by the clock, not by rounds: on a loaded machine a round of calls can take long, and a
                // cancel that lands after slotload's traffic (20 s from its start, which is after this one) would
                // come after its final check and go unseen. 15 s leaves slotload time to make its first groups.
                let lookUntil = ContinuousClock.now + .seconds(15)
                while canceled.isEmpty, ContinuousClock.now < lookUntil {
                    try await Task.sleep(for: .milliseconds(20))
                    let resources = try await client.call(["op": "list_resources"])["resources"]?.array ?? []
                    for name in resources.compactMap({ $0["id"]?.string }) where canceled.isEmpty {
                        let listed = try await client.call([
                            "op": "list_bookings", "resource": .string(name),
                            "from": .string(Self.tomorrow(0)), "to": .string(Self.tomorrow(30)),
                        ])
                        let member = listed["bookings"]?.array?.first { $0["group"]?.string != nil }
                        guard let group = member?["group"]?.string else { continue }
                        let reply = try await client.call(["op": "cancel_group", "group": .string(group)])
                        if reply.ok {
                            canceled = reply["group"]?["bookings"]?.array?.compactMap { $0["id"]?.string } ?? []
                        }
                    }
                }
            }
            let run = try await load
            #expect(canceled.count == 2, "no group canceled")
            #expect(run.status == 1, "\(run.stdout)")
            #expect(run.stdout.contains("verdict fail"))
            for member in canceled {
                #expect(run.stdout.contains("\(member) was acknowledged but is missing"), "\(run.stdout)")
            }
        }
    }
}
