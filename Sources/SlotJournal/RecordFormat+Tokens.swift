import SlotDomain

/// Format 7 records (decision 0021): a token created (`token_created`: its id, name, role, tenant, customer,
/// expiry and the SHA-256 of its secret, `at` its creation) and a token revoked (`token_revoked`: its id, `at` the
/// revocation). Tokens belong to the server, not to a resource: their `resource` is empty, and a token record
/// with any other `resource` is damage.
extension RecordCodec {
    /// The bytes of a secret's hash (SHA-256).
    static let secretHashBytes = 32

    static func tokenRecord(for entry: JournalEntry) -> JournalRecord {
        switch entry {
        case .tokenCreated(let token):
            var record = JournalRecord(kind: .tokenCreated, resource: "", at: token.createdAt.secondsSinceEpoch)
            record.token = token.id.description
            record.name = token.name
            record.role = token.role.rawValue
            record.tenant = token.tenant?.rawValue
            record.customer = token.customer
            record.expiresAt = token.expiresAt?.secondsSinceEpoch
            record.revokedAt = token.revokedAt?.secondsSinceEpoch
            record.secretHash = token.secretHash
            return record
        case .tokenRevoked(let id, let at):
            var record = JournalRecord(kind: .tokenRevoked, resource: "", at: at.secondsSinceEpoch)
            record.token = id.description
            return record
        case .resourceCreated, .schedule, .keyRecorded, .atomic, .customerErased:
            preconditionFailure("not a token entry: \(entry)")
        }
    }

    /// Nil unless the record is exactly what `tokenRecord(for:)` writes for a valid token: an empty resource,
    /// every instant in years 0001–9999, a valid id, name, role and tenant, a non-empty customer, a 32-byte hash,
    /// and no field of another kind (checked by writing the entry back and comparing).
    static func tokenEntry(from record: JournalRecord) -> JournalEntry? {
        guard record.resource.isEmpty, StoredTime.isValid(record.at), StoredTime.isValid(record.expiresAt),
            StoredTime.isValid(record.revokedAt), let id = record.token.flatMap(TokenID.init(parsing:))
        else { return nil }
        let at = Instant(secondsSinceEpoch: record.at)
        let entry: JournalEntry
        switch record.kind {
        case .tokenCreated:
            guard let name = record.name, TokenRecord.isValidName(name),
                let role = record.role.flatMap(Role.init(rawValue:)), let hash = record.secretHash,
                hash.count == secretHashBytes, record.customer?.isEmpty != true
            else { return nil }
            var tenant: TenantID?
            if let text = record.tenant {
                guard let valid = TenantID(text) else { return nil }
                tenant = valid
            }
            entry = .tokenCreated(
                TokenRecord(
                    id: id, name: name, role: role, tenant: tenant, customer: record.customer, createdAt: at,
                    expiresAt: record.expiresAt.map { Instant(secondsSinceEpoch: $0) },
                    revokedAt: record.revokedAt.map { Instant(secondsSinceEpoch: $0) }, secretHash: hash))
        case .tokenRevoked:
            entry = .tokenRevoked(id, at: at)
        default:
            return nil
        }
        return tokenRecord(for: entry) == record ? entry : nil
    }
}
