import SlotDomain

/// What `create_token` asks for. The secret is made by the server.
public struct TokenRequest: Sendable, Equatable {
    public var name: String
    public var role: Role
    public var tenant: TenantID?
    public var customer: String?
    public var expiresAt: Instant?

    public init(name: String, role: Role, tenant: TenantID?, customer: String?, expiresAt: Instant?) {
        self.name = name
        self.role = role
        self.tenant = tenant
        self.customer = customer
        self.expiresAt = expiresAt
    }
}

/// Decoding the authentication and token ops, and `erase_customer` (docs/PROTOCOL.md, "Authentication").
extension OperationDecoder {
    static let tokenFields: [String: Set<String>] = [
        "auth": ["token"],
        "create_token": ["name", "role", "customer", "expires_at"],
        "list_tokens": [],
        "revoke_token": ["token"],
        "erase_customer": ["customer"],
    ]

    /// The longest `token` an `auth` may carry; a secret is far shorter, so anything longer is refused unread.
    static let secretBytesMax = 256

    static func tokenOperation(_ op: String, _ reader: inout FieldReader) throws(WireError) -> Operation {
        switch op {
        case "auth":
            // Never echoed: an error about the field names it, not its value.
            return .auth(secret: try reader.string("token", maxBytes: secretBytesMax))
        case "create_token": return .createToken(try tokenRequest(&reader))
        case "list_tokens": return .listTokens
        case "revoke_token":
            guard let id = TokenID(parsing: try reader.string("token", maxBytes: secretBytesMax)) else {
                throw .invalid("token", "must be a token id such as t3 (not a secret)")
            }
            return .revokeToken(id)
        case "erase_customer":
            return .eraseCustomer(
                customer: try reader.string("customer", maxBytes: reader.limits.customerMaxBytes),
                tenant: reader.tenant)
        default:
            preconditionFailure("op \(op) is not a token op")
        }
    }

    private static func tokenRequest(_ reader: inout FieldReader) throws(WireError) -> TokenRequest {
        let name = try reader.string("name", maxBytes: 256)
        guard TokenRecord.isValidName(name) else {
            throw .invalid("name", "must be 1 to \(reader.limits.tokenNameMaxLength) characters from [A-Za-z0-9._-]")
        }
        guard let role = Role(rawValue: try reader.string("role", maxBytes: 16)) else {
            throw .invalid("role", "must be admin, operator, client or reader")
        }
        let given = try reader.optionalString("customer", maxBytes: reader.limits.customerMaxBytes)
        let customer = given?.isEmpty == true ? nil : given
        if customer != nil, role != .client {
            throw .invalid("customer", "binds only a client token to a customer; leave it out for \(role.rawValue)")
        }
        if reader.tenant != nil, role == .admin {
            throw .invalid("tenant", "must be left out: an admin token belongs to no tenant")
        }
        let expiresAt = try reader.value("expires_at") != nil ? reader.instant("expires_at") : nil
        return TokenRequest(name: name, role: role, tenant: reader.tenant, customer: customer, expiresAt: expiresAt)
    }
}
