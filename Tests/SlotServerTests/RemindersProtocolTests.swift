import Foundation
import SlotClient
import SlotDomain
import SlotJournal
import SlotServer
import SlotTesting
import SlotWire
import Testing

/// Reminders over TCP with a manual clock (issue 19): the sweeper, with no request, journals each reminder at its
/// time; a cancel removes a booking's reminders and a reschedule moves them; and one that fell due while slotd was
/// down goes out at the next start, `late`, once, while one whose booking began meanwhile is dropped. Events do
/// not leave slotd over TCP yet, so the journal is read back once the server stops and replayed through
/// `ServerState.apply`, the path that derives every event.
@Suite struct RemindersProtocolTests {
    struct Reminder: Equatable, CustomStringConvertible {
        var booking: String
        var minutesBefore: Int?
        var at: String
        var late: Bool

        var description: String { "\(booking) \(minutesBefore ?? -1) at \(at)\(late ? " late" : "")" }
    }

    /// Every `booking.reminder` the journal in `directory` yields, in order.
    static func reminders(in directory: URL) throws -> [Reminder] {
        let journal = try Journal(directory: directory)
        defer { journal.stop() }
        var state = ServerState(limits: ServerConfiguration().domainLimits)
        var found: [Reminder] = []
        try journal.replay { sequenced in
            for event in try state.apply(sequenced.entry, sequence: sequenced.sequence).events
            where event.kind == .bookingReminder {
                found.append(
                    Reminder(
                        booking: event.booking?.id.description ?? "-", minutesBefore: event.minutesBefore,
                        at: RFC3339.format(event.at), late: event.late))
            }
        }
        return found
    }

    static func createClinic(_ client: SlotConnection, reminders: [Int]) async throws {
        let created = try await client.call(
            Requests.createResource(
                "clinic", extra: ["reminders_minutes_before": .array(reminders.map { .number(Double($0)) })]))
        #expect(created.ok)
        #expect(created["resource"]?["reminders_minutes_before"] == .array(reminders.map { .number(Double($0)) }))
    }

    static func book(_ client: SlotConnection, _ start: String, _ end: String) async throws {
        #expect(try await client.call(Requests.hold("clinic", start, end, op: "book")).ok)
    }

    /// Sets the clock and runs one sweep, as the sweeper does every few seconds.
    static func sweep(_ server: TestServer, _ clock: ManualClock, at time: String) async throws {
        clock.set(try #require(RFC3339.parse(time)?.instant))
        await ExpiryService.sweep(server.runtime.directory)
    }

    @Test func theSweeperSendsRemindersAtTheirTimesFollowingCancelsAndReschedules() async throws {
        let clock = ManualClock(TestServer.epoch)  // 2027-01-04T08:00:00Z
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await TestServer.run(dataDirectory: directory, clock: clock) { server in
            try await server.connect { client in
                try await Self.createClinic(client, reminders: [1_440, 60])
                #expect(
                    try await client.call(["op": "get_resource", "resource": "clinic"])["resource"]?[
                        "reminders_minutes_before"] == [1_440, 60])
                try await Self.book(client, "2027-01-06T10:00:00Z", "2027-01-06T11:00:00Z")
                try await Self.book(client, "2027-01-06T12:00:00Z", "2027-01-06T13:00:00Z")
                try await Self.book(client, "2027-01-06T14:00:00Z", "2027-01-06T15:00:00Z")
                #expect(try await client.call(Requests.move("cancel", "clinic/2")).ok)
                let moved = try await client.call(
                    Requests.move(
                        "reschedule", "clinic/3",
                        extra: ["start": "2027-01-07T14:00:00Z", "end": "2027-01-07T15:00:00Z"]))
                #expect(moved.ok)
                for time in [
                    "2027-01-05T09:59:59Z", "2027-01-05T10:00:00Z", "2027-01-05T12:00:00Z", "2027-01-05T14:00:00Z",
                    "2027-01-06T09:00:00Z", "2027-01-06T11:00:00Z", "2027-01-06T13:00:00Z", "2027-01-06T14:00:10Z",
                    "2027-01-07T12:59:30Z", "2027-01-07T13:00:30Z",
                ] {
                    try await Self.sweep(server, clock, at: time)
                }
            }
        }
        #expect(
            try Self.reminders(in: directory) == [
                Reminder(booking: "clinic/1", minutesBefore: 1_440, at: "2027-01-05T10:00:00Z", late: false),
                Reminder(booking: "clinic/1", minutesBefore: 60, at: "2027-01-06T09:00:00Z", late: false),
                Reminder(booking: "clinic/3", minutesBefore: 1_440, at: "2027-01-06T14:00:10Z", late: false),
                Reminder(booking: "clinic/3", minutesBefore: 60, at: "2027-01-07T13:00:30Z", late: false),
            ])
    }

    @Test func aReminderMissedWhileDownGoesOutLateAtStartOnce() async throws {
        let clock = ManualClock(TestServer.epoch)
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let before = try await TestServer.run(dataDirectory: directory, clock: clock) { server in
            try await server.connect { client in
                try await Self.createClinic(client, reminders: [60])
                try await Self.book(client, "2027-01-05T10:00:00Z", "2027-01-05T11:00:00Z")
                // Its reminder falls due at 08:15, and it begins at 09:15: the server is down through both.
                try await Self.book(client, "2027-01-05T09:15:00Z", "2027-01-05T09:30:00Z")
            }
            return server.runtime.journal.appendedSequence
        }
        // Down from 08:00 on the 4th to 09:30 on the 5th: the 09:00 reminder of clinic/1 was missed.
        clock.set(try #require(RFC3339.parse("2027-01-05T09:30:00Z")?.instant))
        // A sweep interval far longer than the test: only the sweep at start can send it.
        let once = TestServer.configuration { $0.expirySweepIntervalSeconds = 3_600 }
        try await TestServer.run(dataDirectory: directory, clock: clock, configuration: once) { server in
            // The sweeper's first sweep, at start, sends it with nobody asking.
            let deadline = ContinuousClock.now + .seconds(20)
            while server.runtime.journal.appendedSequence == before, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(server.runtime.journal.appendedSequence == before + 1, "one entry, at start")
            await ExpiryService.sweep(server.runtime.directory)
            let read = try await server.connect { client in
                try await client.call(["op": "get_booking", "booking": "clinic/1"])
            }
            #expect(read.ok)
            #expect(server.runtime.journal.appendedSequence == before + 1, "and nothing more")
        }
        // A further restart, later still, sends nothing again.
        clock.set(try #require(RFC3339.parse("2027-01-05T09:45:00Z")?.instant))
        _ = try await TestServer.run(dataDirectory: directory, clock: clock) { server in
            await ExpiryService.sweep(server.runtime.directory)
        }
        #expect(
            try Self.reminders(in: directory) == [
                Reminder(booking: "clinic/1", minutesBefore: 60, at: "2027-01-05T09:30:00Z", late: true)
            ])
    }

    @Test func theSettingIsValidatedByName() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                for bad: JSONValue in [[0], [60, 60], [1, 2, 3, 4, 5, 6], [43_201], "60", [1.5]] {
                    let reply = try await client.call(
                        Requests.createResource("bad", extra: ["reminders_minutes_before": bad]))
                    #expect(reply["error"]?["code"] == "invalid_request", "\(bad)")
                    #expect(reply["error"]?["field"] == "reminders_minutes_before", "\(bad)")
                }
                let plain = try await client.call(Requests.createResource("plain"))
                #expect(plain["resource"]?["reminders_minutes_before"] == nil, "absent when none is set")
            }
        }
    }
}
