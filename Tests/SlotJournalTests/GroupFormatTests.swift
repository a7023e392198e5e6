import Foundation
import SlotDomain
import Testing

@testable import SlotJournal

/// Record format 6 (decision 0020): a group member's `held` record names the group's members, and the kind
/// `atomic` holds several resources' events and the reply kept under the request's key. Each round-trips in
/// binary and JSON; a reader of format 5 refuses them by their format; every other record keeps its format.
@Suite struct GroupFormatTests {
    static let a = ResourceID("room-a")!
    static let b = ResourceID("room-b")!
    static let range = RecordJSONTests.range
    static let at = Instant(secondsSinceEpoch: 1_795_323_047)
    static let stamp = IdempotencyStamp(key: "group ✓", fingerprint: "hold\u{1F}room-a,room-b")
    static let membership = GroupMembership(members: [
        BookingID(resource: a, sequence: 1), BookingID(resource: b, sequence: 1),
    ])

    static func held(_ sequence: UInt64 = 1, group: GroupMembership? = membership) -> ScheduleEvent {
        .held(
            HeldEvent(
                sequence: sequence, range: range, customer: "Zoë", expiresAt: at.adding(seconds: 300), confirmed: false,
                actor: "web", at: at, idempotency: nil, group: group))
    }

    static func summary(_ resource: ResourceID, _ state: BookingState = .pendingConfirmation) -> BookingSummary {
        BookingSummary(
            id: BookingID(resource: resource, sequence: 1), range: range, customer: "Zoë", state: state,
            expiresAt: state == .pendingConfirmation ? at.adding(seconds: 300) : nil, group: membership.id)
    }

    /// A group's reply, and a batch's holding it, a booking that names its group and a rules reply.
    static let groupReply = StoredReply.group(GroupOutcome(id: membership.id, bookings: [summary(a), summary(b)]))
    static let batchReply = StoredReply.batch(
        resource: a,
        results: [
            groupReply, .booking(summary(b, .confirmed)),
            .rules(RulesOutcome(resource: b, rules: AvailabilityRules(), affected: [], addedBlock: nil)),
        ])

    /// Atomic entries over two resources: a group's hold (kept reply: the group), a batch of several kinds
    /// (kept reply: the batch), and a confirm of both members without a key.
    static var atomicEntries: [JournalEntry] {
        let confirm: (ResourceID) -> (resource: ResourceID, event: ScheduleEvent) = {
            ($0, .transitioned(TransitionEvent(sequence: 1, to: .confirmed, actor: "desk", at: at)))
        }
        let block = Block(id: 1, range: range, label: "x")
        return [
            .atomic(
                AtomicEntry(
                    parts: [(a, held()), (b, held())],
                    remembered: RememberedReply(stamp: stamp, reply: groupReply, at: at))),
            .atomic(
                AtomicEntry(
                    parts: [
                        (a, held(2, group: nil)), confirm(b),
                        (b, .rulesChanged(RulesChangedEvent(change: .addBlock(block), actor: "op", at: at))),
                        (
                            a,
                            .waitlistJoined(
                                WaitlistJoinedEvent(number: 1, range: range, customer: "w", actor: "a", at: at))
                        ),
                    ],
                    remembered: RememberedReply(stamp: stamp, reply: batchReply, at: at.adding(seconds: 1)))),
            .atomic(AtomicEntry(parts: [confirm(a), confirm(b)], remembered: nil)),
        ]
    }

    static var entries: [JournalEntry] { [.schedule(a, held()), .schedule(b, held())] + atomicEntries }

    @Test func format6RecordsRoundTripInBinaryAndJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for entry in Self.entries {
            let record = RecordCodec.record(for: entry)
            #expect(record.writtenFormat == 6, "\(entry)")
            #expect(JournalRecord(body: record.binaryBytes(), format: 6).flatMap(RecordCodec.entry) == entry)
            #expect(JournalRecord(json: record.jsonBytes()).flatMap(RecordCodec.entry) == entry, "\(entry)")
            // Foundation's encoder is the oracle for the dump's text, nested parts included.
            #expect(JournalRecord(json: Array(try encoder.encode(record))) == record, "\(entry)")
            #expect(try JSONDecoder().decode(JournalRecord.self, from: Data(record.jsonBytes())) == record)
            // A server that knows only format 5 refuses the row by its format instead of misreading it.
            for older in 1...5 {
                #expect(JournalRecord(body: record.binaryBytes(), format: older) == nil, "format \(older)")
            }
        }
        let atomic = RecordCodec.record(for: Self.atomicEntries[0])
        #expect(atomic.binaryBytes().first == 11, "kind code 11")
        let json = String(decoding: atomic.jsonBytes(), as: UTF8.self)
        #expect(json.contains("\"kind\":\"atomic\""), "\(json)")
        #expect(json.contains("\"group\":[\"room-a/1\",\"room-b/1\"]"), "\(json)")
    }

    @Test func recordsWithoutGroupsKeepTheirFormat() {
        for entry in RecordJSONTests.entries + IdempotencyFormatTests.entries + [ExpiriesNoticedFormatTests.entry] {
            let record = RecordCodec.record(for: entry)
            #expect(record.writtenFormat < 6, "\(entry)")
            #expect(JournalRecord(body: record.binaryBytes(), format: 6).flatMap(RecordCodec.entry) == entry)
        }
        #expect(RecordCodec.record(for: .schedule(Self.a, Self.held(group: nil))).writtenFormat == 3)
    }

    @Test func damagedGroupsAndAtomicRecordsAreRefused() throws {
        var held = RecordCodec.record(for: .schedule(Self.a, Self.held()))
        for members in [["room-a/1"], ["room-b/1", "room-a/1"], ["room-a/2", "room-b/1"], ["room-a/1", "nope"]] {
            held.group = members
            #expect(RecordCodec.entry(from: held) == nil, "\(members)")
        }
        let atomic = RecordCodec.record(for: Self.atomicEntries[0])
        var damaged = atomic
        damaged.parts?[0].idempotencyKey = "own key"
        #expect(RecordCodec.entry(from: damaged) == nil, "a part with a key of its own")
        damaged = atomic
        damaged.reply = nil
        #expect(RecordCodec.entry(from: damaged) == nil, "a key without a reply")
        damaged = atomic
        damaged.idempotencyKey = nil
        #expect(RecordCodec.entry(from: damaged) == nil, "a reply without a key")
        damaged = atomic
        damaged.reply = String(atomic.reply!.dropLast(2))
        #expect(RecordCodec.entry(from: damaged) == nil, "a truncated reply")
        damaged = atomic
        damaged.parts = []
        #expect(RecordCodec.entry(from: damaged) == nil, "no parts")
        damaged = atomic
        damaged.resource = Self.b.rawValue
        #expect(RecordCodec.entry(from: damaged) == nil, "not its first part's resource")
        damaged = atomic
        damaged.parts?[1] = RecordCodec.record(for: RecordJSONTests.entries[0])
        #expect(RecordCodec.entry(from: damaged) == nil, "a resource's creation as a part")
        // A part holding parts: refused while reading, before any recursion deeper than one level.
        damaged = atomic
        damaged.parts?[0] = atomic
        #expect(JournalRecord(binary: damaged.binaryBytes()) == nil)
        #expect(JournalRecord(json: damaged.jsonBytes()) == nil)
    }

    @Test func storedAtomicEntriesAreFormat6RowsAndReadBackInOrder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slotd-atomic-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let entries = [RecordJSONTests.entries[0]] + Self.atomicEntries
        let store = try JournalStore(directory: directory)
        try store.append(entries.enumerated().map { SequencedEntry(sequence: UInt64($0 + 1), entry: $1) })
        let rows = try store.database.prepare("SELECT format, kind FROM journal ORDER BY sequence")
        var stored: [String] = []
        while try rows.step() { stored.append("\(rows.int64(0)) \(rows.text(1))") }
        #expect(stored == ["3 resource_created", "6 atomic", "6 atomic", "6 atomic"])
        var read: [JournalEntry] = []
        try store.read(after: 0) { read.append($0.entry) }
        #expect(read == entries)
    }
}
