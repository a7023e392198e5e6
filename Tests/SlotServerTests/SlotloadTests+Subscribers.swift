import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

@testable import slotload

/// `slotload --subscribers`: subscribers follow the run's events, and the verdict checks that each saw every change
/// of the run's bookings once, in order; the check itself fails on a missing, repeated or stale event.
@Suite struct SlotloadSubscriberTests {
    @Test func aMixedRunWithTwoSubscribersPassesAndCountsTheirEvents() async throws {
        let reports = try ReportFolder()
        defer { reports.remove() }
        try await TestServer.run(clock: SystemClock()) { server in
            let run = try await ToolProcess.run(
                "slotload",
                [
                    "--port", String(server.port), "--scenario", "mixed", "-c", "4", "-P", "4", "-n", "2000",
                    "--resources", "20", "--seed", "3", "--subscribers", "2", "--json", reports.jsonPath,
                ], timeoutSeconds: 90)
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            let report = try JSONValue.parse(String(contentsOfFile: reports.jsonPath, encoding: .utf8))
            #expect(report["verdict"] == "pass", "\(run.stdout)")
            let subscribers = try #require(report["subscribers"]?.array)
            #expect(subscribers.count == 2)
            for subscriber in subscribers {
                // Holds, confirmations, cancellations, reschedules and groups: more events than bookings.
                #expect((subscriber["booking_events"]?.int ?? 0) > 0, "\(subscriber)")
                #expect((subscriber["events"]?.int ?? 0) >= (subscriber["booking_events"]?.int ?? 0), "\(subscriber)")
                #expect((subscriber["last_seq"]?.int ?? 0) > (subscriber["from_seq"]?.int ?? 0), "\(subscriber)")
            }
            #expect(report["settings"]?["subscribers"] == "2")
            #expect(run.stdout.contains("subscriber 1: "), "\(run.stdout)")
        }
    }

    static let resources = ["r-a": 0, "r-b": 1]
    static func name(_ booking: BookingRef) -> String { "r-\(booking.resource)/\(booking.sequence)" }

    static func line(_ seq: Int, _ type: String, _ id: String, _ state: String, previous: Bool) -> [UInt8] {
        let previousText = previous ? #","previous":{"start":"x","end":"y","state":"pending_confirmation"}"# : ""
        return Array(
            (#"{"event":{"seq":\#(seq),"type":"\#(type)","at":"2027-01-01T00:00:00Z","resource":"r-a","#
                + #""booking":{"id":"\#(id)","resource":"r-a","start":"x","end":"y","customer":"c0","#
                + #""state":"\#(state)"}\#(previousText)}}"#).utf8)
    }

    @Test func anEventLineIsReadForItsBookingStateAndChanges() {
        let booked = SeenEvent.parse(
            Self.line(5, "booking.confirmed", "r-a/7", "confirmed", previous: false), resources: Self.resources)
        #expect(booked.type == "booking.confirmed")
        #expect(
            booked.event
                == SeenEvent(
                    seq: 5, booking: BookingRef(resource: 0, sequence: 7), state: "confirmed", transitions: 2,
                    creates: true))
        let confirmed = SeenEvent.parse(
            Self.line(6, "booking.confirmed", "r-a/8", "confirmed", previous: true), resources: Self.resources)
        #expect(confirmed.event?.transitions == 1 && confirmed.event?.creates == false)
        let other = SeenEvent.parse(
            Self.line(7, "booking.held", "r-a/9", "pending_confirmation", previous: false), resources: ["r-z": 0])
        #expect(other.event?.seq == 7 && other.event?.booking == nil, "another run's resource counts only")
        let lagged = SeenEvent.parse(
            Array(#"{"event":{"type":"stream.lagged","resume_from":9}}"#.utf8), resources: Self.resources)
        #expect(lagged.type == "stream.lagged" && lagged.event == nil)
    }

    static func event(_ seq: UInt64, _ sequence: UInt64, _ state: String, transitions: Int = 1, creates: Bool = false)
        -> SeenEvent
    {
        SeenEvent(
            seq: seq, booking: BookingRef(resource: 0, sequence: sequence), state: state, transitions: transitions,
            creates: creates)
    }

    static func problems(_ events: [SeenEvent], lagged: Bool = false, head: UInt64 = 4) -> [String] {
        let finals: [BookingRef: FinalBooking] = [
            BookingRef(resource: 0, sequence: 1): FinalBooking(state: "canceled", transitions: 3),
            BookingRef(resource: 0, sequence: 2): FinalBooking(state: "confirmed", transitions: 2),
        ]
        var log = SubscriberLog(fromSeq: 0, events: events, eventLines: events.count)
        log.lagged = lagged
        return EventCheck.problems(
            subscriber: 0, log: log, finals: finals, notJudged: [], headSeq: head, name: Self.name)
    }

    @Test func theCheckPassesEveryChangeOnceAndFailsAMissingRepeatedOrStaleEvent() {
        let complete = [
            Self.event(1, 1, "pending_confirmation", creates: true),
            Self.event(2, 2, "confirmed", transitions: 2, creates: true),
            Self.event(3, 1, "confirmed"), Self.event(4, 1, "canceled"),
        ]
        #expect(Self.problems(complete).isEmpty, "\(Self.problems(complete))")
        // The cancellation missing: one change short, and the last state seen is stale.
        let missing = Self.problems(Array(complete.prefix(3)))
        #expect(missing.contains { $0.contains("2 changes of r-0/1, its history has 3") }, "\(missing)")
        #expect(missing.contains { $0.contains("last as confirmed, it is canceled") }, "\(missing)")
        // A creation sent twice: out of order, and created twice.
        let repeated = Self.problems(complete + [Self.event(2, 2, "confirmed", transitions: 2, creates: true)], head: 5)
        #expect(repeated.contains { $0.contains("seq 2 came after 4") }, "\(repeated)")
        #expect(repeated.contains { $0.contains("r-0/2 created 2 times") }, "\(repeated)")
        // A booking never announced, one announced that the server does not have, a lagged stream.
        let none = Self.problems([
            Self.event(1, 1, "pending_confirmation", creates: true), Self.event(4, 9, "confirmed"),
        ])
        #expect(none.contains { $0.contains("no event of r-0/2") }, "\(none)")
        #expect(none.contains { $0.contains("events of r-0/9, which the reading does not find") }, "\(none)")
        #expect(Self.problems(complete, lagged: true).contains { $0.contains("stream.lagged") })
        // Events past the head are not judged; a stream that stops short of the head is.
        #expect(Self.problems(complete + [Self.event(5, 2, "canceled")]).isEmpty)
        #expect(Self.problems(complete, head: 6).contains { $0.contains("up to seq 4, the head was 6") })
    }
}
