import Foundation
import Logging
import SlotAuth
import SlotDomain
import SlotJournal

/// A data folder opened without a server, for `slotctl token create`: the first admin token of a server that
/// requires authentication cannot be created over the protocol (decision 0021). Opening takes the folder's lock
/// (so it fails with `JournalError.locked` while slotd runs) and recovers the state the way slotd does, from the
/// newest usable snapshot and the journal after it; a token is then journaled like the `create_token` op does,
/// through the same registry, and committed before the secret is handed back.
public final class OfflineDataFolder {
    private let journal: Journal
    private let tokens: TokenRegistry
    /// The snapshot recovery started from, if any.
    public let recoveredSnapshot: String?
    private var closed = false

    public init(dataDirectory: URL, snapshotDirectory: URL, logger: Logger) throws {
        var configuration = Journal.Configuration()
        configuration.writer = .manual
        journal = try Journal(directory: dataDirectory, configuration: configuration)
        do {
            let recovered = try Recovery.recover(
                journal: journal, snapshots: SnapshotStore(directory: snapshotDirectory), restore: nil,
                limits: ServerConfiguration().domainLimits, logger: logger)
            tokens = TokenRegistry(recovered.state.tokens)
            recoveredSnapshot = recovered.summary.snapshot
        } catch {
            journal.stop()
            throw error
        }
        journal.start()
    }

    deinit { close() }

    /// Every token the folder's journal and snapshots define, revoked ones too.
    public var tokenTable: TokenTable { tokens.copy() }

    /// Creates a token with a new secret, and returns once its entry is on disk; the refusal when its name is
    /// taken. The secret is returned here and never stored: only its SHA-256 is.
    public func createToken(
        name: String, role: Role, tenant: TenantID?, customer: String?, expiresAt: Instant?, now: Instant
    ) throws -> Result<(token: TokenRecord, secret: String), Rejection> {
        precondition(!closed, "a token created in a closed data folder")
        let (secret, hash) = TokenSecret.generate()
        let created = tokens.create(
            { id in
                TokenRecord(
                    id: id, name: name, role: role, tenant: tenant, customer: customer, createdAt: now,
                    expiresAt: expiresAt, secretHash: hash)
            }, tokensMax: ServerConfiguration().domainLimits.tokensMax, journal: journal)
        switch created {
        case .failure(let rejection):
            return .failure(rejection)
        case .success((let token, let sequence)):
            guard try journal.commitQueued() >= sequence else { throw JournalError.closed }
            return .success((token, secret))
        }
    }

    /// Commits anything left and lets go of the folder's lock.
    public func close() {
        guard !closed else { return }
        closed = true
        journal.stop()
    }
}
