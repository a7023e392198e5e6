/// What a token may do, from least to most; each role may do everything the ones below it may.
public enum Role: String, Hashable, Sendable, CaseIterable, Comparable {
    /// Availability and resources.
    case reader
    /// And the booking ops on its tenant's resources (only its customer's bookings when bound to one).
    case client
    /// And resources, rules, attendance, every booking of its tenant (or of every tenant), stats, snapshots.
    case `operator`
    /// Everything, including tokens and erasing a customer's data.
    case admin

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .reader: 0
        case .client: 1
        case .operator: 2
        case .admin: 3
        }
    }
}

/// A token's id, written `tN` (numbered in creation order): what `list_tokens` shows and `revoke_token` names.
/// Not a secret.
public struct TokenID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let number: UInt64

    public init(number: UInt64) {
        self.number = number
    }

    /// Parses `tN`, N written without sign or leading zero.
    public init?(parsing text: String) {
        guard text.first == "t", let number = DecimalDigits.canonical(text.utf8.dropFirst()), number > 0 else {
            return nil
        }
        self.number = number
    }

    public static func < (lhs: TokenID, rhs: TokenID) -> Bool { lhs.number < rhs.number }
    public var description: String { "t\(number)" }
}

/// A principal: who a connection that authenticated with the token's secret acts as. The secret itself is never
/// kept, only its SHA-256 (`secretHash`), so neither the journal nor a snapshot can give it away.
public struct TokenRecord: Hashable, Sendable {
    public var id: TokenID
    /// Unique among every token ever created (revoked ones too): the audit trail signs with it.
    public var name: String
    public var role: Role
    public var tenant: TenantID?
    /// For a `client` token: the only customer whose bookings it sees and changes.
    public var customer: String?
    public var createdAt: Instant
    public var expiresAt: Instant?
    public var revokedAt: Instant?
    /// SHA-256 of the secret's UTF-8 bytes, 32 bytes.
    public var secretHash: [UInt8]

    public init(
        id: TokenID, name: String, role: Role, tenant: TenantID?, customer: String?, createdAt: Instant,
        expiresAt: Instant?, revokedAt: Instant? = nil, secretHash: [UInt8]
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.tenant = tenant
        self.customer = customer
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.secretHash = secretHash
    }

    /// The only customer a request made as this token may book for and see: a `client` token's `customer`.
    public var boundCustomer: String? { role == .client ? customer : nil }

    /// Whether a request at `now` may act as this token.
    public func isUsable(at now: Instant) -> Bool {
        revokedAt == nil && expiresAt.map { now < $0 } ?? true
    }

    /// Token names: 1 to 64 characters from `[A-Za-z0-9._-]`, so a signature `token:name` reads back unambiguously.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= DomainLimits.standard.tokenNameMaxLength
            && name.utf8.allSatisfy { $0 != UInt8(ascii: ":") && ResourceID.isAllowed($0) }
    }
}

/// Every token the journal defines, by id and by the hash of its secret.
public struct TokenTable: Hashable, Sendable {
    public private(set) var byID: [TokenID: TokenRecord] = [:]
    private var byHash: [[UInt8]: TokenID] = [:]
    private var names: Set<String> = []

    public init() {}

    /// The id the next token created gets.
    public var nextID: TokenID { TokenID(number: (byID.keys.max()?.number ?? 0) + 1) }

    public func token(withSecretHash hash: [UInt8]) -> TokenRecord? {
        byHash[hash].flatMap { byID[$0] }
    }

    public func hasName(_ name: String) -> Bool { names.contains(name) }

    public var count: Int { byID.count }

    /// Whether `id` is the only admin token usable at `now`: revoking it would leave nobody able to manage tokens,
    /// and a server that requires authentication could not start again.
    public func isLastUsableAdmin(_ id: TokenID, at now: Instant) -> Bool {
        guard let token = byID[id], token.role == .admin, token.isUsable(at: now) else { return false }
        return !byID.values.contains { $0.id != id && $0.role == .admin && $0.isUsable(at: now) }
    }

    /// Whether some admin token can still be used at `now`: a server that requires authentication refuses to start
    /// without one.
    public func hasUsableAdmin(at now: Instant) -> Bool {
        byID.values.contains { $0.role == .admin && $0.isUsable(at: now) }
    }

    /// Why `record` cannot be added; nil when it can.
    public func problem(adding record: TokenRecord) -> String? {
        if byID[record.id] != nil { return "token \(record.id) exists already" }
        if names.contains(record.name) { return "a token named \(record.name) exists already" }
        if byHash[record.secretHash] != nil { return "two tokens share a secret" }
        return nil
    }

    public mutating func add(_ record: TokenRecord) {
        precondition(problem(adding: record) == nil, "token \(record.id) cannot be added")
        byID[record.id] = record
        byHash[record.secretHash] = record.id
        names.insert(record.name)
    }

    /// Revokes every client token of `erasure`'s tenant bound to the customer, and forgets the customer it
    /// named. Revoked, because a revocation is final: the token cannot be used again, bound or not; without a
    /// customer rather than bound to the placeholder, because a token's customer is never empty (snapshots
    /// refuse one that is). Returns how many tokens changed.
    @discardableResult
    public mutating func erase(_ erasure: CustomerErasure) -> Int {
        let bound = byID.values.filter { $0.customer == erasure.customer && $0.tenant == erasure.tenant }
        for token in bound {
            byID[token.id]?.customer = nil
            if token.revokedAt == nil { byID[token.id]?.revokedAt = erasure.at }
        }
        return bound.count
    }

    /// Marks the token revoked at `at` (its first revocation stands); false when there is no such token.
    @discardableResult
    public mutating func revoke(_ id: TokenID, at: Instant) -> Bool {
        guard byID[id] != nil else { return false }
        if byID[id]?.revokedAt == nil { byID[id]?.revokedAt = at }
        return true
    }
}
