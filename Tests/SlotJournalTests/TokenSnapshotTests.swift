import Foundation
import SlotDomain
import Testing

@testable import SlotJournal

/// Snapshot version 7: the whole token table (revoked tokens and hashes included) and the journal position it was
/// captured at; files without tokens keep their older version, and older files read with an empty table.
@Suite struct TokenSnapshotTests {
    static var table: TokenTable {
        var table = TokenTable()
        let at = TokenFormatTests.at
        table.add(TokenFormatTests.token(1))
        table.add(
            TokenRecord(
                id: TokenID(number: 2), name: "desk-tok", role: .client, tenant: TenantID("clinic-a"), customer: "zoe",
                createdAt: at, expiresAt: at.adding(seconds: 3_600), secretHash: Array(repeating: 0xCD, count: 32)))
        table.add(
            TokenRecord(
                id: TokenID(number: 4), name: "gone-tok", role: .reader, tenant: nil, customer: nil, createdAt: at,
                expiresAt: nil, revokedAt: at.adding(seconds: 10), secretHash: Array(repeating: 0xEF, count: 32)))
        return table
    }

    static func image(tokens: TokenTable = table, capturedAt sequence: UInt64? = 9) -> SnapshotImage {
        var image = SnapshotFormatTests.sampleImage()
        image.tokens = tokens
        image.tokensJournalSequence = sequence ?? image.journalSequence
        return image
    }

    @Test func version7KeepsEveryTokenAndItsPosition() throws {
        let image = Self.image(capturedAt: SnapshotFormatTests.sampleImage().journalSequence + 3)
        let bytes = SnapshotFormatV1.encode(image)
        #expect(try SnapshotFormatV1.header(of: bytes).0.version == 7)
        let decoded = try SnapshotFormatV1.decode(bytes)
        #expect(decoded == image)
        #expect(decoded.tokens.byID[TokenID(number: 4)]?.revokedAt != nil)
        #expect(decoded.tokens.token(withSecretHash: Array(repeating: 0xCD, count: 32))?.customer == "zoe")
        #expect(decoded.reach >= image.tokensJournalSequence)
        // Version 6 had no token table: the same bytes labelled 6 are damage.
        #expect(throws: SnapshotError.self) {
            try SnapshotFormatV1.decode(IdempotencyFormatTests.relabel(bytes, version: 6))
        }
    }

    @Test func filesWithoutTokensKeepTheirVersionAndReadWithAnEmptyTable() throws {
        let image = Self.image(tokens: TokenTable(), capturedAt: nil)
        let bytes = SnapshotFormatV1.encode(image)
        #expect(try SnapshotFormatV1.header(of: bytes).0.version == 4)
        let decoded = try SnapshotFormatV1.decode(bytes)
        #expect(decoded.tokens == TokenTable())
        #expect(decoded.tokensJournalSequence == decoded.journalSequence)
    }

    /// Damage the checksum cannot see: the same name twice, a table captured before the header, a bad role.
    @Test func damagedTokenTablesAreRefused() throws {
        let base = SnapshotFormatV1.encode(Self.image(capturedAt: SnapshotFormatTests.sampleImage().journalSequence))
        func offset(of needle: [UInt8]) throws -> Int {
            try #require((0...(base.count - needle.count)).first { Array(base[$0..<($0 + needle.count)]) == needle })
        }
        func patched(_ from: String, _ to: String) throws -> [UInt8] {
            var bytes = base
            let start = try offset(of: Array(from.utf8))
            bytes.replaceSubrange(start..<(start + from.utf8.count), with: Array(to.utf8))
            return Self.rechecksummed(bytes)
        }
        #expect(throws: SnapshotError.self, "a name twice") {
            try SnapshotFormatV1.decode(try patched("desk-tok", "gone-tok"))
        }
        #expect(throws: SnapshotError.self, "a name with a colon") {
            try SnapshotFormatV1.decode(try patched("desk-tok", "desk:tok"))
        }

        // The first token: id 1 (u64), name "ops" (u32 length 3); before it the count (u32) and the position (u64).
        let first = try offset(of: [1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0] + Array("ops".utf8))
        var bytes = base
        bytes.replaceSubrange((first - 12)..<(first - 4), with: Array(repeating: 0, count: 8))
        #expect(throws: SnapshotError.self, "captured before the header") {
            try SnapshotFormatV1.decode(Self.rechecksummed(bytes))
        }
        bytes = base
        #expect(bytes[first + 15] == 4, "the first token is an admin")
        bytes[first + 15] = 9
        #expect(throws: SnapshotError.self, "an unknown role") {
            try SnapshotFormatV1.decode(Self.rechecksummed(bytes))
        }
        bytes = base
        bytes.removeSubrange((bytes.count - 13)..<(bytes.count - 12))
        #expect(throws: SnapshotError.self, "a hash one byte short") {
            try SnapshotFormatV1.decode(Self.rechecksummed(bytes))
        }
    }

    static func rechecksummed(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        let trailer = bytes.count - 12
        let checksum = CRC32.checksum(bytes[0..<trailer])
        for index in 0..<4 { bytes[trailer + index] = UInt8(truncatingIfNeeded: checksum >> (8 * index)) }
        return bytes
    }
}
