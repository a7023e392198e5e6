import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// `mixed`'s groups against a real server: their members count in the verdict as bookings do.
extension SlotloadTests {
    /// Another client cancels one of slotload's confirmed groups behind its back: both members vanish while
    /// slotload still holds them as confirmed, and the run fails on them.
    ///
    /// Only a confirmed group makes the expectation hold in every interleaving: slotload never moves a confirmed
    /// group again (its cancels and reschedules are of single bookings), so its ledger keeps both members confirmed
    /// whenever its reply to `confirm_group` is read. A held group could be canceled by the test and then have
    /// slotload's own `confirm_group` or `cancel_group` refused (`invalid_transition`), leaving slotload expecting a
    /// hold whose expiry decides whether the check judges it at all: a held group slotload left to lapse, or the
    /// check running late on a loaded machine, would make the missing members go unremarked.
    ///
    /// slotload runs far longer than the test needs and the test ends its traffic with SIGINT once it has canceled a
    /// group, so however slowly slotload makes its first confirmed group, the cancel comes before the final check.
    @Test func cancelingOneOfItsGroupsBehindItsBackFailsTheVerdict() async throws {
        try await TestServer.run(clock: SystemClock()) { server in
            let load = try ToolProcess.start(
                "slotload",
                [
                    "--port", String(server.port), "--scenario", "mixed", "--duration-seconds", "3600", "-c", "2",
                    "--resources", "3",
                ])
            var canceled: [String] = []
            try await server.connect { client in
                // A bound for a machine so loaded that slotload makes no confirmed group at all; it usually has one
                // within a second of its start.
                let lookUntil = ContinuousClock.now + .seconds(120)
                while canceled.isEmpty, load.isRunning, ContinuousClock.now < lookUntil {
                    try await Task.sleep(for: .milliseconds(50))
                    canceled = try await Self.cancelAConfirmedGroup(client)
                }
            }
            load.signal(SIGINT)
            let run = try await load.finish(timeoutSeconds: 300)
            #expect(canceled.count == 2, "no group canceled: \(run.stdout)\(run.stderr)")
            #expect(run.stdout.contains("traffic ended early by SIGINT"), "\(run.stdout)")
            #expect(run.status == 1, "\(run.stdout)")
            #expect(run.stdout.contains("verdict fail"))
            for member in canceled {
                #expect(run.stdout.contains("\(member) was acknowledged but is missing"), "\(run.stdout)")
            }
        }
    }

    /// Cancels the first confirmed group found on any resource and returns its members' ids; none if there is no
    /// confirmed group yet. Lists from today to a day past slotload's window (30 days from tomorrow), in pages, so
    /// that a run begun before a midnight (UTC) and a full resource are covered.
    static func cancelAConfirmedGroup(_ client: SlotConnection) async throws -> [String] {
        let resources = try await client.call(["op": "list_resources"])["resources"]?.array ?? []
        for name in resources.compactMap({ $0["id"]?.string }) {
            var after: String?
            repeat {
                var request: [String: JSONValue] = [
                    "op": "list_bookings", "resource": .string(name), "from": .string(Self.tomorrow(-1)),
                    "to": .string(Self.tomorrow(31)),
                ]
                if let after { request["after"] = .string(after) }
                let listed = try await client.call(.object(request))
                let member = listed["bookings"]?.array?.first {
                    $0["group"]?.string != nil && $0["state"]?.string == "confirmed"
                }
                if let group = member?["group"]?.string {
                    let reply = try await client.call(["op": "cancel_group", "group": .string(group)])
                    let members = reply["group"]?["bookings"]?.array?.compactMap { $0["id"]?.string } ?? []
                    if reply.ok { return members }
                }
                after = listed["truncated"] == true ? listed["next"]?.string : nil
            } while after != nil
        }
        return []
    }
}
