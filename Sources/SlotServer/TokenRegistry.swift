import SlotDomain
import SlotJournal
import Synchronization

/// The live token table: looked up by a presented secret's hash at `auth`, and by id at every later request of an
/// authenticated connection, so a revocation or an expiry takes effect at that connection's next request.
/// Changes are journaled under the lock, in the order they are applied.
public final class TokenRegistry: Sendable {
    private let table: Mutex<TokenTable>
    /// Bumped by every revocation: a connection rechecks its token only when this moved (or its expiry passed).
    private let revocations = Atomic<UInt64>(0)

    public init(_ table: TokenTable) {
        self.table = Mutex(table)
    }

    public func copy() -> TokenTable { table.withLock { $0 } }

    /// The table and the journal position it holds every token entry up to, read together under the lock that
    /// every token change appends under: a token created while a snapshot is taken is either in the table or after
    /// the position (and replayed), never both nor neither.
    func capture(journal: Journal) -> (table: TokenTable, journalSequence: UInt64) {
        table.withLock { ($0, journal.appendedSequence) }
    }

    public func token(withSecretHash hash: [UInt8]) -> TokenRecord? {
        table.withLock { $0.token(withSecretHash: hash) }
    }

    public func token(_ id: TokenID) -> TokenRecord? {
        table.withLock { $0.byID[id] }
    }

    public var revocationCount: UInt64 { revocations.load(ordering: .acquiring) }

    public func hasUsableAdmin(at now: Instant) -> Bool {
        table.withLock { $0.hasUsableAdmin(at: now) }
    }

    /// Adds `record` and journals it; the refusal when its name is taken. Returns the entry's sequence.
    func create(_ record: (TokenID) -> TokenRecord, tokensMax: Int, journal: Journal)
        -> Result<(TokenRecord, UInt64), Rejection>
    {
        table.withLock { table in
            guard table.count < tokensMax else {
                return .failure(
                    Rejection(
                        .tooManyTokens,
                        "the server already keeps \(tokensMax) tokens (the limit, revoked ones included)",
                        details: ["limit": String(tokensMax)]))
            }
            let record = record(table.nextID)
            guard !table.hasName(record.name) else {
                return .failure(
                    Rejection(.alreadyExists, "a token named \(record.name) exists already", field: "name"))
            }
            table.add(record)
            return .success((record, journal.append(.tokenCreated(record))))
        }
    }

    /// Applies an erasure's step on the tokens (`TokenTable.erase`) and journals the erasure with `append`, under
    /// the lock tokens are created under: a token bound to the customer created meanwhile is journaled either
    /// before the erasure (and erased in replay as here) or after it (and kept in both). The bound tokens it
    /// revokes take effect on open connections at their next request, as a revocation does.
    func erase(_ erasure: CustomerErasure, append: () -> UInt64) -> (tokens: Int, sequence: UInt64) {
        table.withLock { table in
            let erased = table.erase(erasure)
            let sequence = append()
            if erased > 0 { revocations.add(1, ordering: .releasing) }
            return (erased, sequence)
        }
    }

    /// Revokes `id` and journals it (a token already revoked keeps its first revocation, and nothing is
    /// journaled). Refused for a token that does not exist, and for the last usable admin token.
    func revoke(_ id: TokenID, at now: Instant, journal: Journal) -> Result<(TokenRecord, UInt64), Rejection> {
        table.withLock { table in
            guard let existing = table.byID[id] else {
                return .failure(Rejection(.notFound, "no token \(id)", field: "token"))
            }
            guard !table.isLastUsableAdmin(id, at: now) else {
                return .failure(
                    Rejection(
                        .invalidRequest,
                        "\(id) is the last usable admin token; create another admin token before revoking it",
                        field: "token"))
            }
            guard existing.revokedAt == nil else { return .success((existing, journal.appendedSequence)) }
            table.revoke(id, at: now)
            let sequence = journal.append(.tokenRevoked(id, at: now))
            revocations.add(1, ordering: .releasing)
            return .success((table.byID[id] ?? existing, sequence))
        }
    }
}
