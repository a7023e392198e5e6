import Foundation
import SlotDomain
import Testing

@testable import SlotJournal

/// Groups across a restart: a journal with atomic entries replays to the state that applying them directly
/// gives, and snapshot format 6 keeps each resource's group memberships and the group and batch replies, so a
/// state restored from it is that state too.
@Suite struct GroupSnapshotTests {
    static let a = GroupFormatTests.a
    static let b = GroupFormatTests.b
    static let at = GroupFormatTests.at
    static let later = Instant(secondsSinceEpoch: 1_795_323_047 + 60)

    /// Two resources, a group held on both and confirmed (each under its own key), and a single booking beside it.
    static var entries: [JournalEntry] {
        let created = [a, b].map {
            JournalEntry.resourceCreated(
                ResourceSettings(id: $0, timeZoneIdentifier: "Europe/Berlin", slotMinutes: 30, capacity: 2), at: at,
                idempotency: nil)
        }
        let confirm = IdempotencyStamp(key: "confirm", fingerprint: "confirm_group\u{1F}room-a/g1")
        let confirmed = StoredReply.group(
            GroupOutcome(
                id: GroupFormatTests.membership.id,
                bookings: [GroupFormatTests.summary(a, .confirmed), GroupFormatTests.summary(b, .confirmed)]))
        let confirmParts: [(resource: ResourceID, event: ScheduleEvent)] = [a, b].map {
            ($0, .transitioned(TransitionEvent(sequence: 1, to: .confirmed, actor: "desk", at: at)))
        }
        return created + [
            GroupFormatTests.atomicEntries[0],
            .atomic(
                AtomicEntry(parts: confirmParts, remembered: RememberedReply(stamp: confirm, reply: confirmed, at: at))),
            .schedule(a, GroupFormatTests.held(2, group: nil)),
        ]
    }

    static func applied(_ entries: [JournalEntry]) throws -> ServerState {
        var state = ServerState(limits: .standard)
        for (index, entry) in entries.enumerated() { try state.apply(entry, sequence: UInt64(index + 1)) }
        return state
    }

    @Test func replayOfAtomicEntriesEqualsApplyingThem() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slotd-groups-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await JournalFixture.write(Self.entries, to: directory)
        let replayed = try JournalFixture.replayed(from: directory)
        let direct = try Self.applied(Self.entries)
        #expect(direct.differences(from: replayed, at: Self.later) == [])
        #expect(replayed.resources[Self.b]?.schedule.groups == [1: GroupFormatTests.membership])
        #expect(replayed.resources[Self.a]?.schedule.summary(1)?.state == .confirmed)
        #expect(replayed.resources[Self.a]?.schedule.summary(2)?.group == nil)
        #expect(replayed.keys.records().map(\.key).sorted() == ["confirm", GroupFormatTests.stamp.key])
    }

    /// The state `differences` compares groups: a state missing one is told apart.
    @Test func differencesSeeAMissingGroup() throws {
        let direct = try Self.applied(Self.entries)
        var withoutGroup = Self.entries
        withoutGroup[2] = .atomic(
            AtomicEntry(
                parts: [(Self.a, GroupFormatTests.held(group: nil)), (Self.b, GroupFormatTests.held(group: nil))],
                remembered: RememberedReply(
                    stamp: GroupFormatTests.stamp, reply: GroupFormatTests.groupReply, at: Self.at)))
        let other = try Self.applied(withoutGroup)
        #expect(direct.differences(from: other, at: Self.later).contains { $0.contains("group of booking 1") })
    }

    static func image(of state: ServerState) -> SnapshotImage {
        let resources = state.resources.values.sorted { $0.schedule.id < $1.schedule.id }.map { resource in
            let schedule = resource.schedule
            return ResourceImage(
                settings: schedule.settings, clock: schedule.clock, lastBookingSequence: schedule.lastSequence,
                createdJournalSequence: resource.createdSequence, capturedJournalSequence: resource.lastSequence,
                bookings: schedule.bookings.values, rules: schedule.rules, waitlist: Array(schedule.waitlist.values),
                lastWaitlistNumber: schedule.lastWaitlistNumber, groups: schedule.groups)
        }
        var keys = state.keys.records().sorted { $0.key < $1.key }
        keys.append(
            IdempotencyTable.Record(
                key: "batch", fingerprint: "batch", reply: GroupFormatTests.batchReply, expiresAt: later))
        return SnapshotImage(
            journalID: "j", journalSequence: 5, createdAt: later, resources: resources, idempotency: keys)
    }

    @Test func version6KeepsGroupsAndGroupAndBatchReplies() throws {
        let direct = try Self.applied(Self.entries)
        let image = Self.image(of: direct)
        let bytes = SnapshotFormatV1.encode(image)
        #expect(try SnapshotFormatV1.header(of: bytes).0.version == 6)
        let decoded = try SnapshotFormatV1.decode(bytes)
        #expect(decoded == image)
        #expect(
            decoded.resources.map(\.groups) == [[1: GroupFormatTests.membership], [1: GroupFormatTests.membership]])

        // Restored as slotd restores a snapshot, the state is the one the entries made (plus the extra key).
        var restored = ServerState(limits: .standard)
        for resource in decoded.resources {
            let schedule = try ResourceSchedule(
                restoring: resource.settings, clock: resource.clock, lastSequence: resource.lastBookingSequence,
                bookings: resource.bookings, rules: resource.rules, waitlist: resource.waitlist,
                lastWaitlistNumber: resource.lastWaitlistNumber, groups: resource.groups)
            restored.restore(
                ResourceState(
                    schedule: schedule, createdSequence: resource.createdJournalSequence,
                    lastSequence: resource.capturedJournalSequence))
        }
        for record in decoded.idempotency where record.key != "batch" { restored.restore(record) }
        #expect(direct.differences(from: restored, at: Self.later) == [])

        // Version 5 had neither groups nor these reply kinds: the same bytes labelled 5 are damage.
        #expect(throws: SnapshotError.self) {
            try SnapshotFormatV1.decode(IdempotencyFormatTests.relabel(bytes, version: 5))
        }
    }

    @Test func filesWithoutGroupsKeepTheirVersion() throws {
        #expect(
            try SnapshotFormatV1.header(of: SnapshotFormatV1.encode(SnapshotFormatTests.sampleImage())).0.version == 4)
        #expect(try SnapshotFormatV1.header(of: SnapshotFormatV1.encode(IdempotencyFormatTests.image())).0.version == 5)
        // A kept booking that names its group needs version 6 even without any group reply or membership.
        var image = SnapshotFormatTests.sampleImage()
        image.idempotency = [
            IdempotencyTable.Record(
                key: "k", fingerprint: "f", reply: .booking(GroupFormatTests.summary(Self.b)), expiresAt: Self.later)
        ]
        let bytes = SnapshotFormatV1.encode(image)
        #expect(try SnapshotFormatV1.header(of: bytes).0.version == 6)
        #expect(try SnapshotFormatV1.decode(bytes) == image)
    }

    @Test func aGroupThatDoesNotNameItsBookingIsRefused() throws {
        var image = Self.image(of: try Self.applied(Self.entries))
        // Booking 2 of room-a is no member of the group: the file is damaged.
        image.resources[0].groups[2] = GroupFormatTests.membership
        #expect(throws: SnapshotError.self) { try SnapshotFormatV1.decode(SnapshotFormatV1.encode(image)) }
        let resource = image.resources[0]
        #expect(throws: ResourceSchedule.RestoreFailure.groupWithoutMember(booking: 2)) {
            try ResourceSchedule(
                restoring: resource.settings, clock: resource.clock, lastSequence: resource.lastBookingSequence,
                bookings: resource.bookings, groups: resource.groups)
        }
    }

    /// A snapshot captures resources one at a time, so one member of a group may be captured after the group's
    /// atomic entry and another before it. Recovery then applies only the parts of resources captured before
    /// (`skipping`): applying them all would hold the group twice on the one captured after.
    @Test func anAtomicEntryIsAppliedOnlyToResourcesCapturedBeforeIt() throws {
        let direct = try Self.applied(Self.entries)
        let groupEntry = 3  // entries[2], numbered from 1
        var captured = try Self.applied(Array(Self.entries.prefix(groupEntry - 1)))
        // room-b captured after the group's entry: its state includes it already.
        let withGroup = try Self.applied(Array(Self.entries.prefix(groupEntry)))
        captured.restore(try #require(withGroup.resources[Self.b]))
        for (offset, entry) in Self.entries.enumerated().dropFirst(groupEntry - 1) {
            let sequence = UInt64(offset + 1)
            let skip = { (resource: ResourceID) in resource == Self.b && sequence <= UInt64(groupEntry) }
            if case .atomic = entry {} else if let resource = entry.resource, skip(resource) { continue }
            try captured.apply(entry, sequence: sequence, skipping: skip)
        }
        // Without the skip, room-b's member would be held a second time, which stops on the sequence check.
        #expect(direct.differences(from: captured, at: Self.later) == [])
    }
}
