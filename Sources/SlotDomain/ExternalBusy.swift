/// The form of the ids the server makes for things it stores beside the journal (`wh_…`, `cal_…`): a prefix and 16
/// lowercase hexadecimal digits, 64 random bits.
public enum PrefixedHexID {
    public static let digits = 16

    public static func isValid(_ text: String, prefix: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == prefix.utf8.count + digits && text.hasPrefix(prefix)
            && bytes.dropFirst(prefix.utf8.count).allSatisfy { byte in
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            }
    }
}

/// A calendar link's id: `cal_` and 16 lowercase hex digits. The server makes it; the domain only names it.
public struct CalendarLinkID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let prefix = "cal_"
    public let rawValue: String

    /// Nil unless `text` has exactly that form.
    public init?(_ text: String) {
        guard PrefixedHexID.isValid(text, prefix: Self.prefix) else { return nil }
        rawValue = text
    }

    public static func < (lhs: CalendarLinkID, rhs: CalendarLinkID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { rawValue }
}

/// The `external_busy` availability layer: the busy times last pulled from a resource's linked calendar, as
/// sorted, disjoint stretches. A booking (with its buffers, as for a block) may not overlap one. Replaced whole by
/// each pull that found a change, through a journal entry, so replay and snapshots bring back exactly what live
/// decisions saw.
public struct ExternalBusy: Hashable, Sendable {
    public var link: CalendarLinkID
    /// Sorted by start, disjoint, touching ones joined.
    public private(set) var stretches: [TimeRange]
    /// When the calendar was read: the layer's age.
    public var pulledAt: Instant

    /// `ranges` in any order, overlapping or not; empty ones are dropped.
    public init(link: CalendarLinkID, ranges: [TimeRange], pulledAt: Instant) {
        self.link = link
        stretches = BlockIndex.merged(ranges.filter { $0.end > $0.start })
        self.pulledAt = pulledAt
    }

    /// The first stretch that overlaps `range`, by binary search.
    public func firstOverlap(_ range: TimeRange) -> TimeRange? {
        BlockIndex.firstOverlap(range, in: stretches)
    }
}

/// A pull's result for one resource (`busy` set), or its link removed (`busy` nil), at `at`.
public struct ExternalBusyEvent: Hashable, Sendable {
    public var at: Instant
    public var link: CalendarLinkID
    public var busy: ExternalBusy?

    public init(at: Instant, link: CalendarLinkID, busy: ExternalBusy?) {
        precondition(busy == nil || busy?.link == link, "a layer belongs to its link")
        self.at = at
        self.link = link
        self.busy = busy
    }
}
