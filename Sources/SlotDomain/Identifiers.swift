/// A resource id: 1 to 64 characters from `[A-Za-z0-9._:-]` as clients write it, qualified inside the server by
/// the tenant that owns the resource (`rawValue` is then `tenant|name`). Validated at the edge, trusted inside.
///
/// The tenant lives in the id so that everything keyed by a resource (actors, bookings, groups, keys, the journal's
/// and snapshots' records) separates tenants without a second key; `|` never occurs in a client's id, so a client
/// cannot name another tenant's resource. Replies write `name`, the id as its tenant knows it.
public struct ResourceID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// `name`, or `tenant|name`: what the journal and snapshots store.
    public let rawValue: String

    /// An id as a client writes it, in no tenant; nil when `rawValue` is not a valid resource id.
    public init?(_ rawValue: String, limits: DomainLimits = .standard) {
        guard !rawValue.isEmpty, rawValue.utf8.count <= limits.resourceIDMaxLength,
            rawValue.utf8.allSatisfy(ResourceID.isAllowed)
        else { return nil }
        self.rawValue = rawValue
    }

    /// An id as stored (`name` or `tenant|name`); nil when malformed.
    public init?(stored rawValue: String) {
        guard let separator = rawValue.utf8.firstIndex(of: Self.tenantSeparator) else {
            guard ResourceID(rawValue) != nil else { return nil }
            self.rawValue = rawValue
            return
        }
        guard TenantID(String(rawValue[..<separator])) != nil,
            ResourceID(String(rawValue[rawValue.index(after: separator)...])) != nil
        else { return nil }
        self.rawValue = rawValue
    }

    /// For values read back from our own journal or snapshots, already validated when they were written.
    public init(trusted rawValue: String) {
        precondition(ResourceID(stored: rawValue) != nil, "invalid resource id in trusted input")
        self.rawValue = rawValue
    }

    private init(unchecked rawValue: String) {
        self.rawValue = rawValue
    }

    /// Between a tenant and a name in `rawValue`; never in a client's id.
    static let tenantSeparator = UInt8(ascii: "|")

    /// The tenant owning the resource; nil for a resource in no tenant.
    public var tenant: TenantID? {
        guard let separator = rawValue.utf8.firstIndex(of: Self.tenantSeparator) else { return nil }
        return TenantID(unchecked: String(rawValue[..<separator]))
    }

    /// The id as its tenant's clients write it.
    public var name: String {
        guard let separator = rawValue.utf8.firstIndex(of: Self.tenantSeparator) else { return rawValue }
        return String(rawValue[rawValue.index(after: separator)...])
    }

    /// This client-written id in `tenant` (unchanged for nil).
    public func inTenant(_ tenant: TenantID?) -> ResourceID {
        guard let tenant else { return self }
        precondition(self.tenant == nil, "a resource id qualified twice")
        return ResourceID(unchecked: tenant.rawValue + "|" + rawValue)
    }

    static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"),
            UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// `resource/rest` split at its last `/` (which never occurs in a resource id): the ids of things a resource
    /// owns. Nil when there is no slash or the resource part is not a valid id; `stored` accepts a tenant's.
    static func split(_ text: String, stored: Bool = false) -> (ResourceID, Substring)? {
        guard let slash = text.lastIndex(of: "/") else { return nil }
        let resourceText = String(text[..<slash])
        guard let resource = stored ? ResourceID(stored: resourceText) : ResourceID(resourceText) else { return nil }
        return (resource, text[text.index(after: slash)...])
    }

    public static func < (lhs: ResourceID, rhs: ResourceID) -> Bool { lhs.rawValue < rhs.rawValue }
    /// The id as its tenant knows it: what messages show.
    public var description: String { name }
}

/// A tenant: 1 to `DomainLimits.tenantIDMaxLength` characters from `[A-Za-z0-9._-]`. Resources, and the tokens of their clients, belong to one.
public struct TenantID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init?(_ rawValue: String) {
        guard !rawValue.isEmpty, rawValue.utf8.count <= DomainLimits.standard.tenantIDMaxLength,
            rawValue.utf8.allSatisfy({ $0 != UInt8(ascii: ":") && ResourceID.isAllowed($0) })
        else { return nil }
        self.rawValue = rawValue
    }

    init(unchecked rawValue: String) {
        self.rawValue = rawValue
    }

    public static func < (lhs: TenantID, rhs: TenantID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { rawValue }
}

/// A booking id: the owning resource and a per-resource sequence number, written `resource/sequence`
/// (e.g. `dr-smith/17`). The resource part routes a request to its actor without a global index; `/` never
/// occurs in a resource id, so the split is unambiguous.
public struct BookingID: Hashable, Sendable, CustomStringConvertible {
    public let resource: ResourceID
    public let sequence: UInt64

    public init(resource: ResourceID, sequence: UInt64) {
        self.resource = resource
        self.sequence = sequence
    }

    /// Parses `resource/sequence`, the sequence written as `description` writes it (no sign, no leading zero);
    /// nil when malformed.
    public init?(parsing text: String, stored: Bool = false) {
        guard let (resource, rest) = ResourceID.split(text, stored: stored),
            let sequence = DecimalDigits.canonical(rest.utf8), sequence > 0
        else { return nil }
        self.init(resource: resource, sequence: sequence)
    }

    /// As its tenant's clients write it.
    public var description: String { "\(resource.name)/\(sequence)" }
    /// With its resource's tenant: what the journal stores.
    public var storedText: String { "\(resource.rawValue)/\(sequence)" }

    /// This client-written id in `tenant`.
    public func inTenant(_ tenant: TenantID?) -> BookingID {
        BookingID(resource: resource.inTenant(tenant), sequence: sequence)
    }
}

/// A waitlist entry id: the resource and a per-resource number, written `resource/wN` (e.g. `dr-smith/w3`), so it
/// is never mistaken for a booking id.
public struct WaitlistEntryID: Hashable, Sendable, CustomStringConvertible {
    public let resource: ResourceID
    public let number: UInt64

    public init(resource: ResourceID, number: UInt64) {
        self.resource = resource
        self.number = number
    }

    /// Parses `resource/wN`, N written without sign or leading zero; nil when malformed.
    public init?(parsing text: String) {
        guard let (resource, rest) = ResourceID.split(text), rest.first == "w",
            let number = DecimalDigits.canonical(rest.utf8.dropFirst()), number > 0
        else { return nil }
        self.init(resource: resource, number: number)
    }

    public var description: String { "\(resource.name)/w\(number)" }

    /// This client-written id in `tenant`.
    public func inTenant(_ tenant: TenantID?) -> WaitlistEntryID {
        WaitlistEntryID(resource: resource.inTenant(tenant), number: number)
    }
}
