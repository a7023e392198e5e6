import Foundation
import SlotDomain
import Testing

@testable import SlotJournal

/// The hand-written record codec against Foundation's `Codable` (the oracle, and how format 1 rows were
/// written): each reads what the other wrote, for every kind of entry.
@Suite struct RecordJSONTests {
    static let resource = ResourceID("dr-n.1")!
    static let range = TimeRange(
        start: Instant(secondsSinceEpoch: 1_799_049_600), end: Instant(secondsSinceEpoch: 1_799_051_400))

    static var entries: [JournalEntry] {
        let at = Instant(secondsSinceEpoch: 1_795_323_047)
        let stamp = IdempotencyStamp(key: "k \"quoted\" \\ ✓", fingerprint: "book\u{1F}x")
        let settings = ResourceSettings(id: resource, timeZoneIdentifier: "Europe/Berlin", slotMinutes: 30, capacity: 3)
        let summary = BookingSummary(
            id: BookingID(resource: resource, sequence: 9), range: range, customer: "Zoë\n🦷", state: .confirmed,
            expiresAt: nil)
        let hours = WeeklyHours(days: Array(repeating: [LocalInterval(startMinute: 540, endMinute: 1_020)!], count: 7))
        let events: [ScheduleEvent] = [
            .held(
                HeldEvent(
                    sequence: 1, range: range, customer: "ann", expiresAt: at.adding(seconds: 300), confirmed: false,
                    actor: "web", at: at, idempotency: stamp)),
            .transitioned(TransitionEvent(sequence: 1, to: .rescheduled, actor: "desk", at: at, newRange: range)),
            .transitioned(TransitionEvent(sequence: 1, to: .canceled, actor: "desk", at: at, reason: "ill")),
            .rulesChanged(RulesChangedEvent(change: .weeklyHours(hours), actor: "op", at: at)),
            .rulesChanged(RulesChangedEvent(change: .weeklyHours(nil), actor: "op", at: at)),
            .rulesChanged(
                RulesChangedEvent(
                    change: .override(LocalDate(days: 20_000), .hours([LocalInterval(startMinute: 0, endMinute: 60)!])),
                    actor: "op", at: at)),
            .rulesChanged(
                RulesChangedEvent(change: .addBlock(Block(id: 2, range: range, label: "x")), actor: "op", at: at)),
            .rulesChanged(
                RulesChangedEvent(change: .limits(minNoticeMinutes: 60, maxBookingsPerDay: nil), actor: "o", at: at)),
            .seriesBooked(
                SeriesBookedEvent(firstSequence: 3, ranges: [range, range], customer: "c", actor: "a", at: at)),
            .seriesCanceled(SeriesCanceledEvent(series: 3, sequences: [3, 4], actor: "a", at: at, reason: nil)),
            .waitlistJoined(WaitlistJoinedEvent(number: 1, range: range, customer: "w", actor: "a", at: at)),
            .waitlistLeft(WaitlistLeftEvent(number: 1, actor: "a", at: at)),
        ]
        return [.resourceCreated(settings, at: at, idempotency: stamp), .keyRecorded(stamp, summary, at: at)]
            + events.map { .schedule(resource, $0) }
    }

    @Test func eachCodecReadsWhatTheOtherWrote() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for entry in Self.entries {
            let record = RecordCodec.record(for: entry)
            let ours = record.jsonBytes()
            #expect(try JSONDecoder().decode(JournalRecord.self, from: Data(ours)) == record, "\(entry)")
            let foundation = Array(try encoder.encode(record))
            #expect(JournalRecord(json: foundation) == record, "\(entry)")
            #expect(JournalRecord(json: ours).flatMap(RecordCodec.entry) == entry, "round trip \(entry)")
        }
    }

    @Test func wrongTypesAreRefused() {
        for text in [
            #"{"kind":"held","resource":"r","at":"soon"}"#, #"{"kind":"nope","resource":"r","at":1}"#,
            #"{"kind":"held","resource":"r","at":1,"booking":1.5}"#,
            #"{"kind":"held","resource":"r","at":1,"confirmed":1}"#,
            #"{"kind":"moved","resource":"r","at":1,"actor":7}"#, "[]", "{",
        ] {
            #expect(JournalRecord(json: Array(text.utf8)) == nil, "\(text)")
        }
    }
}
