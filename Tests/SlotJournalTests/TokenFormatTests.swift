import Foundation
import SlotDomain
import Testing

@testable import SlotJournal

/// Record format 7: tokens created and revoked read back as written, only in format 7, and a damaged token
/// record is refused (replay reports it as a corrupt record) instead of trapping in the token table.
@Suite struct TokenFormatTests {
    static let at = Instant(secondsSinceEpoch: 1_795_323_047)
    static let hash = Array(0..<32).map { UInt8($0 * 7 % 256) }

    static func token(_ number: UInt64, name: String = "ops", hash: [UInt8] = TokenFormatTests.hash) -> TokenRecord {
        TokenRecord(
            id: TokenID(number: number), name: name, role: .admin, tenant: nil, customer: nil, createdAt: at,
            expiresAt: nil, secretHash: hash)
    }

    /// A token with every optional field, and one with none; a revocation.
    static var entries: [JournalEntry] {
        let full = TokenRecord(
            id: TokenID(number: 7), name: "front-desk.2", role: .client, tenant: TenantID("clinic-a"),
            customer: "Zoe Olsen", createdAt: at, expiresAt: at.adding(seconds: 86_400),
            revokedAt: at.adding(seconds: 60), secretHash: Array(repeating: 0xAB, count: 32))
        return [
            .tokenCreated(token(1)), .tokenCreated(full), .tokenRevoked(TokenID(number: 1), at: at.adding(seconds: 5)),
        ]
    }

    @Test func tokenRecordsRoundTripInFormat7Only() throws {
        for entry in Self.entries {
            let record = RecordCodec.record(for: entry)
            #expect(record.writtenFormat == 7, "\(entry)")
            #expect(record.resource == "", "a token belongs to no resource")
            #expect(JournalRecord(body: record.binaryBytes(), format: 7).flatMap(RecordCodec.entry) == entry)
            // A server that knows format 6 at most would misread it; a row labelled 6 is refused.
            #expect(JournalRecord(body: record.binaryBytes(), format: 6) == nil, "\(entry)")
        }
        #expect(RecordCodec.record(for: RecordJSONTests.entries[0]).writtenFormat < 7)
        // The size decision 0021 quotes: an admin token named `ops`, 34 of its bytes the hash.
        #expect(RecordCodec.record(for: .tokenCreated(Self.token(1))).binaryBytes().count == 59)
    }

    /// The dump (the record's JSON) shows who the token is, never its hash; JSON cannot stand for a token record.
    @Test func theDumpNeverShowsTheHash() throws {
        let record = RecordCodec.record(for: Self.entries[1])
        let json = String(decoding: record.jsonBytes(), as: UTF8.self)
        #expect(
            json
                == #"{"at":1795323047,"customer":"Zoe Olsen","expires_at":1795409447,"kind":"token_created","#
                + #""name":"front-desk.2","resource":"","revoked_at":1795323107,"role":"client","tenant":"clinic-a","#
                + #""token":"t7"}"#)
        #expect(!json.contains(Hex.text(Array(repeating: 0xAB, count: 32))))
        let readBack = try #require(JournalRecord(json: record.jsonBytes()))
        #expect(readBack.secretHash == nil)
        #expect(RecordCodec.entry(from: readBack) == nil)
    }

    @Test func damagedTokenRecordsAreRefused() throws {
        let created = RecordCodec.record(for: Self.entries[1])
        let revoked = RecordCodec.record(for: Self.entries[2])
        var damaged: [(String, JournalRecord)] = []
        func add(_ what: String, _ base: JournalRecord, _ change: (inout JournalRecord) -> Void) {
            var record = base
            change(&record)
            damaged.append((what, record))
        }
        add("a resource", created) { $0.resource = "room-a" }
        add("a resource on a revocation", revoked) { $0.resource = "room-a" }
        add("no id", created) { $0.token = nil }
        add("id t0", revoked) { $0.token = "t0" }
        add("id 7", created) { $0.token = "7" }
        add("id t07", created) { $0.token = "t07" }
        add("no name", created) { $0.name = nil }
        add("a name with a colon", created) { $0.name = "a:b" }
        add("an unknown role", created) { $0.role = "root" }
        add("no role", created) { $0.role = nil }
        add("an invalid tenant", created) { $0.tenant = "a|b" }
        add("an empty customer", created) { $0.customer = "" }
        add("no hash", created) { $0.secretHash = nil }
        add("a short hash", created) { $0.secretHash = Array(repeating: 1, count: 31) }
        add("an expiry in year 10000", created) { $0.expiresAt = 253_402_300_800 }
        add("a creation in year 0", created) { $0.at = -62_135_596_801 }
        add("a booking field", created) { $0.booking = 3 }
        add("a name on a revocation", revoked) { $0.name = "ops" }
        add("a hash on a revocation", revoked) { $0.secretHash = Self.hash }
        for (what, record) in damaged {
            #expect(RecordCodec.entry(from: record) == nil, "\(what)")
            // Written and read back in binary, it is refused all the same.
            #expect(JournalRecord(body: record.binaryBytes(), format: 7).flatMap(RecordCodec.entry) == nil, "\(what)")
        }
        var held = RecordCodec.record(for: RecordJSONTests.entries[1])
        held.token = "t1"
        #expect(RecordCodec.entry(from: held) == nil, "a token field on a booking's record")
        // Cut anywhere, it is refused, or (cut between two fields) read as a record without the later ones.
        let bytes = created.binaryBytes()
        for length in 0..<bytes.count {
            let read = JournalRecord(binary: Array(bytes[..<length])).flatMap(RecordCodec.entry)
            #expect(read != Self.entries[1], "\(length)")
            if length < bytes.count - 10 { #expect(read == nil, "\(length)") }
        }
    }

    /// Through SQLite: a journal of token entries replays to them, `journal verify` counts them, and a stored
    /// token record with a damaged body is a corrupt record at its sequence.
    @Test func aJournalOfTokensReplaysAndADamagedOneIsReported() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slotd-tokens-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await JournalFixture.write(Self.entries, to: directory)
        let state = try JournalFixture.replayed(from: directory)
        #expect(state.tokens.byID.count == 2)
        #expect(state.tokens.byID[TokenID(number: 1)]?.revokedAt == Self.at.adding(seconds: 5))
        #expect(state.tokens.token(withSecretHash: Self.hash)?.name == "ops")
        let report = try JournalVerifier.verify(directory: directory)
        #expect(report.entries == 3 && report.firstBad == nil)
        var lines: [String] = []
        try JournalVerifier.dump(directory: directory, after: 0, limit: nil) { lines.append($0) }
        #expect(lines.count == 3 && lines.allSatisfy { $0.contains("\"format\":7") && $0.contains("\"token\":\"t") })

        let store = try JournalStore(directory: directory)
        var bad = RecordCodec.record(for: Self.entries[0])
        bad.secretHash = Array(repeating: 0, count: 16)
        let body = bad.binaryBytes()
        let update = try store.database.prepare("UPDATE journal SET body = ?, checksum = ? WHERE sequence = 1")
        update.bind(1, body)
        update.bind(2, Int64(CRC32.checksum(body)))
        _ = try update.step()
        store.close()
        #expect(try JournalVerifier.verify(directory: directory).firstBad?.sequence == 1)
        let damaged = try Journal(directory: directory)
        defer { damaged.stop() }
        #expect {
            _ = try ServerState.replaying(damaged, limits: .standard)
        } throws: { error in
            guard case JournalError.corruptRecord(let sequence, _) = error else { return false }
            return sequence == 1
        }
    }
}
