import Foundation
import SlotDomain
import Testing

@testable import SlotJournal

@Suite struct JournalTests {
    let resource = ResourceID("room-1")!

    func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("slotd-journal-\(UUID().uuidString)")
    }

    func entries(count: Int) -> [JournalEntry] {
        let settings = ResourceSettings(id: resource, timeZoneIdentifier: "Europe/Berlin", bufferAfterMinutes: 15)
        var list: [JournalEntry] = [
            .resourceCreated(
                settings, at: Instant(secondsSinceEpoch: 100), idempotency: IdempotencyStamp(key: "k", fingerprint: "f")
            )
        ]
        for index in 1..<count {
            let start = Instant(secondsSinceEpoch: 1_000_000 + Int64(index) * 3_600)
            if index % 3 == 0 {
                list.append(
                    .schedule(
                        resource,
                        .transitioned(
                            TransitionEvent(
                                sequence: UInt64(index - 1), to: .canceled, actor: "ops",
                                at: Instant(secondsSinceEpoch: 200), reason: "ill"))))
            } else {
                list.append(
                    .schedule(
                        resource,
                        .held(
                            HeldEvent(
                                sequence: UInt64(index),
                                range: TimeRange(start: start, end: start.adding(seconds: 900)),
                                customer: "c\u{e9}\(index)", expiresAt: Instant(secondsSinceEpoch: 500),
                                confirmed: false, actor: "client",
                                at: Instant(secondsSinceEpoch: 200), idempotency: nil))))
            }
        }
        return list
    }

    @Test func appendedEntriesReplayIdenticallyAfterReopening() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let written = entries(count: 50)
        let journal = try Journal(directory: directory)
        journal.start()
        var last: UInt64 = 0
        for entry in written { last = journal.append(entry) }
        try await journal.waitUntilDurable(last)
        #expect(journal.durableSequence == 50)
        journal.stop()

        let reopened = try Journal(directory: directory)
        var read: [SequencedEntry] = []
        try reopened.replay { read.append($0) }
        #expect(read.map(\.sequence) == Array(1...50))
        #expect(read.map(\.entry) == written)
        #expect(reopened.appendedSequence == 50)
        reopened.stop()
    }

    @Test func concurrentAppendsShareCommitsAndAllBecomeDurable() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = try Journal(directory: directory)
        journal.start()
        let template = entries(count: 2)[1]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    for _ in 0..<50 {
                        let sequence = journal.append(template)
                        try await journal.waitUntilDurable(sequence)
                        #expect(journal.isDurable(sequence))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(journal.durableSequence == 1_600)
        journal.stop()
        var count = 0
        let reopened = try Journal(directory: directory)
        try reopened.replay { _ in count += 1 }
        #expect(count == 1_600)
        reopened.stop()
    }

    @Test func aDamagedRecordIsReportedByItsSequence() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = try Journal(directory: directory)
        journal.start()
        var last: UInt64 = 0
        for entry in entries(count: 10) { last = journal.append(entry) }
        try await journal.waitUntilDurable(last)
        journal.stop()

        let database = try SQLiteDatabase(path: directory.appendingPathComponent("journal.sqlite").path)
        try database.execute(
            "UPDATE journal SET body = CAST(REPLACE(CAST(body AS TEXT), 'client', 'clienT') AS BLOB) WHERE sequence = 5"
        )
        database.close()

        let reopened = try Journal(directory: directory)
        var replayed: [UInt64] = []
        #expect {
            try reopened.replay { replayed.append($0.sequence) }
        } throws: { error in
            guard case JournalError.corruptRecord(let sequence, let reason) = error else { return false }
            return sequence == 5 && reason == "checksum mismatch"
        }
        #expect(replayed == [1, 2, 3, 4])
        reopened.stop()
    }

    @Test func waitingAfterStopFailsInsteadOfHanging() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = try Journal(directory: directory)
        journal.start()
        journal.stop()
        await #expect(throws: JournalError.self) { try await journal.waitUntilDurable(99) }
    }

    @Test func aSecondJournalOnTheSameFolderIsRefused() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Journal(directory: directory)
        var briefWait = Journal.Configuration()
        briefWait.lockWaitMilliseconds = 50
        #expect {
            _ = try Journal(directory: directory, configuration: briefWait)
        } throws: { error in
            guard case JournalError.locked = error else { return false }
            return true
        }
        first.start()
        first.stop()
        // Released on stop: the folder can be opened again.
        let second = try Journal(directory: directory)
        second.stop()
    }

    @Test func openingWaitsForALockThatIsAboutToBeReleased() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Journal(directory: directory)
        first.start()
        // Released 200 ms into the second open's wait (2 s by default), from a thread of its own because the
        // open blocks this one: the open succeeds instead of failing.
        let releaser = Thread {
            usleep(200_000)
            first.stop()
        }
        releaser.start()
        let second = try Journal(directory: directory)
        second.stop()
    }

    @Test func crcMatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}

@Suite struct CRC32Tests {
    /// The bitwise definition, one bit at a time: the oracle for the sliced tables.
    static func reference(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }

    @Test func slicedChecksumMatchesTheBitwiseDefinitionAtEveryLength() {
        var random = SplitMix64(seed: 5)
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(CRC32.checksum(bytes) == Self.reference(bytes), "length \(length)")
            #expect(CRC32.checksum(bytes[...].dropFirst(min(3, length))) == Self.reference(Array(bytes.dropFirst(3))))
        }
    }
}
