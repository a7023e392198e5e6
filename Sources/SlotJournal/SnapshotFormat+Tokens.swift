import SlotDomain

/// Version 7: the token table, after the idempotency keys: the journal position it was captured at, then every
/// token (revoked ones too) in id order, each with the SHA-256 of its secret, never the secret (decision 0021).
extension SnapshotFormatV1 {
    /// A role's code, fixed here apart from the Swift enum.
    static func code(_ role: Role) -> UInt8 {
        switch role {
        case .reader: 1
        case .client: 2
        case .operator: 3
        case .admin: 4
        }
    }

    static func role(code: UInt8) -> Role? {
        Role.allCases.first { Self.code($0) == code }
    }

    /// The fewest bytes a token takes: id, a one-byte name, role, empty tenant, no customer, three instants, hash.
    static let tokenBytesMin = 8 + 5 + 1 + 4 + 1 + 3 * 8 + secretHashBytes
    static let secretHashBytes = RecordCodec.secretHashBytes

    static func write(tokens: TokenTable, capturedAt sequence: UInt64, to writer: inout BinaryWriter) {
        writer.write(sequence)
        writer.write(UInt32(tokens.byID.count))
        for token in tokens.byID.values.sorted(by: { $0.id < $1.id }) {
            precondition(token.secretHash.count == secretHashBytes, "token \(token.id): a hash of another size")
            writer.write(token.id.number)
            writer.write(token.name)
            writer.write(code(token.role))
            writer.write(token.tenant?.rawValue ?? "")
            writer.write(UInt8(token.customer == nil ? 0 : 1))
            if let customer = token.customer { writer.write(customer) }
            writer.write(token.createdAt.secondsSinceEpoch)
            writer.write(token.expiresAt?.secondsSinceEpoch ?? absent)
            writer.write(token.revokedAt?.secondsSinceEpoch ?? absent)
            writer.write(raw: token.secretHash)
        }
    }

    /// Refuses what `TokenTable.add` would trap on (an id, a name or a hash twice) and anything a journal record
    /// of the token would be refused for; ids must increase, and the table be captured no earlier than the header.
    static func readTokens(_ reader: inout BinaryReader, journalSequence: UInt64) throws -> (
        table: TokenTable, capturedAt: UInt64
    ) {
        let capturedAt = try reader.read(UInt64.self)
        guard capturedAt >= journalSequence else {
            throw SnapshotError.invalid(
                "tokens captured at entry \(capturedAt), before the header's \(journalSequence)")
        }
        let count = Int(try reader.read(UInt32.self))
        try checkCount(count, of: "tokens", itemBytesMin: tokenBytesMin, in: reader)
        var table = TokenTable()
        var previous: UInt64 = 0
        for _ in 0..<count {
            let token = try readToken(&reader)
            guard token.id.number > previous else { throw SnapshotError.invalid("token \(token.id) out of order") }
            previous = token.id.number
            if let problem = table.problem(adding: token) { throw SnapshotError.invalid(problem) }
            table.add(token)
        }
        return (table, capturedAt)
    }

    static func readToken(_ reader: inout BinaryReader) throws -> TokenRecord {
        let number = try reader.read(UInt64.self)
        guard number > 0 else { throw SnapshotError.invalid("token numbered 0") }
        let id = TokenID(number: number)
        let name = try reader.readString(maxBytes: 64)
        guard TokenRecord.isValidName(name) else { throw SnapshotError.invalid("token \(id): name '\(name)'") }
        let roleCode = try reader.read(UInt8.self)
        guard let role = role(code: roleCode) else { throw SnapshotError.invalid("token \(id): role \(roleCode)") }
        let tenantText = try reader.readString(maxBytes: 64)
        var tenant: TenantID?
        if !tenantText.isEmpty {
            guard let valid = TenantID(tenantText) else { throw SnapshotError.invalid("token \(id): tenant") }
            tenant = valid
        }
        var customer: String?
        switch try reader.read(UInt8.self) {
        case 0: break
        case 1:
            customer = try reader.readString()
            guard customer?.isEmpty == false else { throw SnapshotError.invalid("token \(id): empty customer") }
        case let flag: throw SnapshotError.invalid("token \(id): customer flag \(flag)")
        }
        let createdAt = try readInstant(&reader, of: "the creation of token \(id)")
        let expiresAt = try readOptionalInstant(&reader, of: "the expiry of token \(id)")
        let revokedAt = try readOptionalInstant(&reader, of: "the revocation of token \(id)")
        let hash = Array(try reader.readRaw(count: secretHashBytes))
        return TokenRecord(
            id: id, name: name, role: role, tenant: tenant, customer: customer, createdAt: createdAt,
            expiresAt: expiresAt, revokedAt: revokedAt, secretHash: hash)
    }
}
