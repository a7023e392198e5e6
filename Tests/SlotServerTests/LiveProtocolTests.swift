import Foundation
import SlotClient
import SlotDomain
import SlotServer
import SlotTesting
import Testing

/// Every op and its refusals, driven through the real server over TCP. The server's clock is a `ManualClock`
/// at 2027-01-04T08:00:00Z, so expiry and "has it started" are tested without sleeping.
@Suite struct LiveProtocolTests {
    @Test func resources() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                #expect(try await client.call(["id": 1, "op": "ping"]) == ["id": 1, "ok": true])
                let created = try await client.call(
                    Requests.createResource("dr-smith", tz: "Europe/Berlin", extra: ["buffer_after_minutes": 15]))
                #expect(created["resource"]?["tz"] == "Europe/Berlin")
                #expect(created["resource"]?["slot_minutes"] == 15)
                #expect(created["resource"]?["capacity"] == 1)
                #expect(created["resource"]?["buffer_after_minutes"] == 15)
                #expect(created["resource"]?["hold_ttl_seconds"] == 300)
                #expect(created["resource"]?["horizon_days"] == 365)
                #expect(try await client.call(Requests.createResource("dr-smith")).errorCode == "already_exists")
                #expect(try await client.call(Requests.createResource("room-a")).ok)
                let got = try await client.call(["op": "get_resource", "resource": "dr-smith"])
                #expect(got["resource"] == created["resource"])
                #expect(try await client.call(["op": "get_resource", "resource": "nobody"]).errorCode == "not_found")
                let listed = try await client.call(["op": "list_resources", "limit": 1])
                #expect(listed["resources"]?.array?.map { $0["id"] } == ["dr-smith"])
                #expect(listed["truncated"] == true)
                let rest = try await client.call(["op": "list_resources", "after": "dr-smith"])
                #expect(rest["resources"]?.array?.map { $0["id"] } == ["room-a"])
                let badZone = try await client.call(Requests.createResource("x", tz: "Mars/Olympus"))
                #expect(badZone.errorCode == "unknown_time_zone")
                let badSlot = try await client.call(Requests.createResource("x", extra: ["slot_minutes": 7]))
                #expect(badSlot["error"]?["field"] == "slot_minutes")
            }
        }
    }

    @Test func holdConfirmCancelWithHistory() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                _ = try await client.call(Requests.createResource("r"))
                let held = try await client.call(
                    Requests.hold(
                        "r", "2027-01-05T11:00:00+01:00", "2027-01-05T10:30:00Z",
                        extra: ["actor": "web", "ttl_seconds": 120]))
                #expect(held["booking"]?["id"] == "r/1")
                #expect(held["booking"]?["start"] == "2027-01-05T10:00:00Z")
                #expect(held["booking"]?["state"] == "pending_confirmation")
                #expect(held["booking"]?["expires_at"] == "2027-01-04T08:02:00Z")
                let taken = try await client.call(Requests.hold("r", "2027-01-05T10:15:00Z", "2027-01-05T10:45:00Z"))
                #expect(taken.errorCode == "slot_unavailable")
                #expect(taken["error"]?["conflict_start"] == "2027-01-05T10:15:00Z")
                #expect(taken["error"]?["conflict_end"] == "2027-01-05T10:30:00Z")
                let confirmed = try await client.call(Requests.move("confirm", "r/1", extra: ["actor": "agent-7"]))
                #expect(confirmed["booking"]?["state"] == "confirmed")
                #expect(confirmed["booking"]?["expires_at"] == nil)
                // Confirming again is not an error.
                #expect(try await client.call(Requests.move("confirm", "r/1")) == confirmed)
                let canceled = try await client.call(Requests.move("cancel", "r/1", extra: ["reason": "ill"]))
                #expect(canceled["booking"]?["state"] == "canceled")
                // The slot is free at once.
                #expect(try await client.call(Requests.hold("r", "2027-01-05T10:15:00Z", "2027-01-05T10:45:00Z")).ok)
                let again = try await client.call(Requests.move("cancel", "r/1"))
                #expect(again.errorCode == "invalid_transition")
                #expect(again["error"]?["from"] == "canceled")
                #expect(again["error"]?["to"] == "canceled")
                let detail = try await client.call(["op": "get_booking", "booking": "r/1"])
                let history = detail["booking"]?["history"]?.array ?? []
                #expect(history.map { $0["to"] } == ["pending_confirmation", "confirmed", "canceled"])
                #expect(history.map { $0["from"] } == [.null, "pending_confirmation", "confirmed"])
                #expect(history.map { $0["actor"] } == ["web", "agent-7", "client"])
                #expect(history.last?["reason"] == "ill")
                #expect(history.allSatisfy { $0["at"] == "2027-01-04T08:00:00Z" })
                #expect(try await client.call(["op": "get_booking", "booking": "r/99"]).errorCode == "not_found")
                #expect(try await client.call(["op": "get_booking", "booking": "zz/1"]).errorCode == "not_found")
            }
        }
    }

    @Test func holdExpiresOnTheServerClock() async throws {
        let clock = ManualClock(TestServer.epoch)
        try await TestServer.run(clock: clock) { server in
            try await server.connect { client in
                _ = try await client.call(Requests.createResource("r", extra: ["hold_ttl_seconds": 60]))
                _ = try await client.call(Requests.hold("r", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z"))
                clock.advance(seconds: 60)
                let late = try await client.call(Requests.move("confirm", "r/1"))
                #expect(late.errorCode == "hold_expired")
                let detail = try await client.call(["op": "get_booking", "booking": "r/1"])
                #expect(detail["booking"]?["state"] == "expired")
                let last = detail["booking"]?["history"]?.array?.last
                #expect(last?["actor"] == "system")
                #expect(last?["at"] == "2027-01-04T08:01:00Z")
                // Expired holds free their slots.
                #expect(try await client.call(Requests.hold("r", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z")).ok)
            }
        }
    }

    @Test func bookRescheduleCompleteNoShow() async throws {
        let clock = ManualClock(TestServer.epoch)
        try await TestServer.run(clock: clock) { server in
            try await server.connect { client in
                _ = try await client.call(
                    Requests.createResource("r", extra: ["buffer_before_minutes": 15, "buffer_after_minutes": 15]))
                let first = try await client.call(
                    Requests.hold("r", "2027-01-04T09:00:00Z", "2027-01-04T09:30:00Z", op: "book"))
                #expect(first["booking"]?["state"] == "confirmed")
                _ = try await client.call(
                    Requests.hold("r", "2027-01-04T11:00:00Z", "2027-01-04T11:30:00Z", op: "book"))
                // 10:30–10:45 is legal (the buffers of neighbours may overlap); 10:45 lies in the second booking's
                // before-buffer: refused, and nothing moved.
                let refused = try await client.call(
                    Requests.move(
                        "reschedule", "r/1", extra: ["start": "2027-01-04T10:45:00Z", "end": "2027-01-04T11:00:00Z"]))
                #expect(refused.errorCode == "slot_unavailable")
                #expect(
                    try await client.call(["op": "get_booking", "booking": "r/1"])["booking"]?["start"]
                        == "2027-01-04T09:00:00Z")
                let moved = try await client.call(
                    Requests.move(
                        "reschedule", "r/1", extra: ["start": "2027-01-04T09:15:00Z", "end": "2027-01-04T09:45:00Z"]))
                #expect(moved["booking"]?["state"] == "rescheduled")
                #expect(try await client.call(Requests.move("confirm", "r/1"))["booking"]?["state"] == "rescheduled")
                #expect(try await client.call(Requests.move("complete", "r/1")).errorCode == "not_started")
                clock.advance(seconds: 3_600 + 900)  // 09:15
                #expect(try await client.call(Requests.move("complete", "r/1"))["booking"]?["state"] == "completed")
                #expect(try await client.call(Requests.move("no_show", "r/1")).errorCode == "invalid_transition")
                clock.advance(seconds: 3 * 3_600)
                #expect(try await client.call(Requests.move("no_show", "r/2"))["booking"]?["state"] == "no_show")
                let history = try await client.call(["op": "get_booking", "booking": "r/1"])["booking"]?["history"]
                let reschedule = history?.array?.first { $0["to"] == "rescheduled" }
                #expect(reschedule?["previous_start"] == "2027-01-04T09:00:00Z")
                #expect(reschedule?["previous_end"] == "2027-01-04T09:30:00Z")
            }
        }
    }

    @Test func placementRefusals() async throws {
        try await TestServer.run(
            configuration: TestServer.configuration { $0.domainLimits.activeHoldsPerResourceMax = 2 }
        ) { server in
            try await server.connect { client in
                _ = try await client.call(
                    Requests.createResource("r", tz: "Asia/Kolkata", extra: ["slot_minutes": 60, "horizon_days": 7]))
                let misaligned = try await client.call(
                    Requests.hold("r", "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z"))
                #expect(misaligned.errorCode == "misaligned")
                #expect(try await client.call(Requests.hold("r", "2027-01-05T09:30:00Z", "2027-01-05T10:30:00Z")).ok)
                #expect(
                    try await client.call(Requests.hold("r", "2027-01-04T06:30:00Z", "2027-01-04T07:30:00Z")).errorCode
                        == "in_past")
                let far = try await client.call(Requests.hold("r", "2027-01-11T07:30:00Z", "2027-01-11T08:30:00Z"))
                #expect(far.errorCode == "beyond_horizon")
                let backwards = try await client.call(
                    Requests.hold("r", "2027-01-05T10:30:00Z", "2027-01-05T09:30:00Z"))
                #expect(backwards["error"]?["field"] == "end")
                #expect(try await client.call(Requests.hold("r", "2027-01-06T09:30:00Z", "2027-01-06T10:30:00Z")).ok)
                let third = try await client.call(Requests.hold("r", "2027-01-07T09:30:00Z", "2027-01-07T10:30:00Z"))
                #expect(third.errorCode == "too_many_holds")
                let hold = try await client.call(
                    Requests.hold("nobody", "2027-01-05T09:30:00Z", "2027-01-05T10:30:00Z"))
                #expect(hold.errorCode == "not_found")
            }
        }
    }

    @Test func availabilityOffersExactlyWhatHoldAccepts() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                _ = try await client.call(
                    Requests.createResource(
                        "r", tz: "America/New_York", extra: ["buffer_after_minutes": 30, "capacity": 2]))
                for (start, end) in [("14:00", "15:00"), ("14:30", "15:00"), ("16:00", "16:15"), ("16:00", "17:00")] {
                    _ = try await client.call(
                        Requests.hold("r", "2027-01-05T\(start):00Z", "2027-01-05T\(end):00Z", op: "book"))
                }
                let offered = try await client.call([
                    "op": "availability", "resource": "r", "from": "2027-01-05T12:00:00Z", "to": "2027-01-05T19:00:00Z",
                    "duration_minutes": 45,
                ])
                let starts = Set(offered["slots"]?.array?.compactMap(\.string) ?? [])
                #expect(!starts.isEmpty)
                for quarter in 0..<28 {
                    let minutes = 12 * 60 + quarter * 15
                    let start = String(format: "2027-01-05T%02d:%02d:00Z", minutes / 60, minutes % 60)
                    let end = String(format: "2027-01-05T%02d:%02d:00Z", (minutes + 45) / 60, (minutes + 45) % 60)
                    let probe = try await client.call(Requests.hold("r", start, end))
                    #expect(
                        probe.ok == starts.contains(start), "\(start): hold \(probe), offered \(starts.contains(start))"
                    )
                    if probe.ok {
                        _ = try await client.call(Requests.move("cancel", probe["booking"]?["id"]?.string ?? ""))
                    }
                }
                let tooLong = try await client.call([
                    "op": "availability", "resource": "r", "from": "2027-01-05T00:00:00Z", "to": "2027-06-05T00:00:00Z",
                    "duration_minutes": 45,
                ])
                #expect(tooLong.errorCode == "range_too_large")
            }
        }
    }

    @Test func listBookingsPagesThroughActiveBookings() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                _ = try await client.call(Requests.createResource("r", extra: ["capacity": 3]))
                for index in 0..<5 {
                    let start = String(format: "2027-01-05T%02d:00:00Z", 9 + index)
                    let end = String(format: "2027-01-05T%02d:00:00Z", 10 + index)
                    _ = try await client.call(Requests.hold("r", start, end, op: index == 0 ? "hold" : "book"))
                }
                _ = try await client.call(Requests.move("cancel", "r/3"))
                let page = try await client.call([
                    "op": "list_bookings", "resource": "r", "from": "2027-01-05T00:00:00Z",
                    "to": "2027-01-06T00:00:00Z",
                    "limit": 2,
                ])
                #expect(page["bookings"]?.array?.map { $0["id"] } == ["r/1", "r/2"])
                #expect(page["truncated"] == true)
                let next = try await client.call([
                    "op": "list_bookings", "resource": "r", "from": "2027-01-05T00:00:00Z",
                    "to": "2027-01-06T00:00:00Z",
                    "after": "r/2",
                ])
                #expect(next["bookings"]?.array?.map { $0["id"] } == ["r/4", "r/5"])
                #expect(next["truncated"] == false)
            }
        }
    }

    @Test func resourceLimit() async throws {
        try await TestServer.run(configuration: TestServer.configuration { $0.resourcesMax = 1 }) { server in
            try await server.connect { (client: SlotConnection) async throws in
                #expect(try await client.call(Requests.createResource("a")).ok)
                #expect(try await client.call(Requests.createResource("b")).errorCode == "too_many_resources")
            }
        }
    }
}
