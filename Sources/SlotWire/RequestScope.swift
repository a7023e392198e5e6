import SlotDomain

/// Who a request comes from, as decoding needs it: the tenant its ids are read in, how its actor is signed,
/// whose customer it books for, and the namespace of its idempotency keys. The connection builds it from the token
/// it authenticated with; without authentication it is `anonymous`.
public struct RequestScope: Sendable, Equatable {
    /// The token's tenant; nil for a token without one (then `mayNameTenant` says whether a request may name any).
    public var tenant: TenantID?
    /// An admin or operator without a tenant (or anyone, when authentication is off) may act in any tenant by
    /// naming it in the request's `tenant` field.
    public var mayNameTenant: Bool
    /// The token's name: entries are signed `token:name`, and a client-supplied `actor` becomes `on_behalf_of`.
    public var signer: String? {
        didSet { signature = Actors.signature(principal: signer, onBehalfOf: nil) }
    }
    /// What an entry of a request without `actor` is signed with, built once per connection rather than per request.
    private(set) var signature: String
    /// A client token's customer: `customer` fields are taken from it.
    public var customer: String?
    /// The token's id: idempotency keys are remembered per token, so one token can never replay another's reply.
    public var keyNamespace: TokenID?

    public init(
        tenant: TenantID?, mayNameTenant: Bool, signer: String?, customer: String?, keyNamespace: TokenID?
    ) {
        self.tenant = tenant
        self.mayNameTenant = mayNameTenant
        self.signer = signer
        self.signature = Actors.signature(principal: signer, onBehalfOf: nil)
        self.customer = customer
        self.keyNamespace = keyNamespace
    }

    /// No authentication: any tenant by name, actors as given, keys shared.
    public static let anonymous = RequestScope(
        tenant: nil, mayNameTenant: true, signer: nil, customer: nil, keyNamespace: nil)

    /// The scope of a request from `token`.
    public init(token: TokenRecord) {
        self.init(
            tenant: token.tenant, mayNameTenant: token.tenant == nil && token.role >= .operator, signer: token.name,
            customer: token.boundCustomer, keyNamespace: token.id)
    }

    /// Between a token's id and the client's key in a stored idempotency key; a client's key never contains it
    /// (keys may not contain control characters).
    static let keySeparator = "\u{1F}"
}
