import SlotDomain

extension ReplyEncoder {
    /// A token as `auth`, `create_token`, `list_tokens` and `revoke_token` show it: never its secret nor the
    /// secret's hash.
    static func write(_ token: TokenRecord, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("token")
        writer.string(token.id.description)
        writer.key("name")
        writer.string(token.name)
        writer.key("role")
        writer.string(token.role.rawValue)
        writer.key("tenant")
        if let tenant = token.tenant { writer.string(tenant.rawValue) } else { writer.null() }
        writer.key("customer")
        if let customer = token.customer { writer.string(customer) } else { writer.null() }
        writer.key("created_at")
        writer.instant(token.createdAt)
        writer.key("expires_at")
        if let expiresAt = token.expiresAt { writer.instant(expiresAt) } else { writer.null() }
        if let revokedAt = token.revokedAt {
            writer.key("revoked_at")
            writer.instant(revokedAt)
        }
        writer.endObject()
    }
}
