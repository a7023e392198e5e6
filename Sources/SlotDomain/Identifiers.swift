/// A resource id: 1 to 64 characters from `[A-Za-z0-9._:-]`. Validated at the edge, trusted inside.
public struct ResourceID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// Returns nil when `rawValue` is not a valid resource id.
    public init?(_ rawValue: String, limits: DomainLimits = .standard) {
        guard !rawValue.isEmpty, rawValue.utf8.count <= limits.resourceIDMaxLength,
            rawValue.utf8.allSatisfy(ResourceID.isAllowed)
        else { return nil }
        self.rawValue = rawValue
    }

    /// For values read back from our own journal or snapshots, already validated when they were written.
    public init(trusted rawValue: String) {
        precondition(ResourceID(rawValue) != nil, "invalid resource id in trusted input")
        self.rawValue = rawValue
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
    /// owns. Nil when there is no slash or the resource part is not a valid id.
    static func split(_ text: String) -> (ResourceID, Substring)? {
        guard let slash = text.lastIndex(of: "/"), let resource = ResourceID(String(text[..<slash])) else {
            return nil
        }
        return (resource, text[text.index(after: slash)...])
    }

    public static func < (lhs: ResourceID, rhs: ResourceID) -> Bool { lhs.rawValue < rhs.rawValue }
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
    public init?(parsing text: String) {
        guard let (resource, rest) = ResourceID.split(text), let sequence = DecimalDigits.canonical(rest.utf8),
            sequence > 0
        else { return nil }
        self.init(resource: resource, sequence: sequence)
    }

    public var description: String { "\(resource.rawValue)/\(sequence)" }
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

    public var description: String { "\(resource.rawValue)/w\(number)" }
}
