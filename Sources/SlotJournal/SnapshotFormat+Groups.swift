import SlotDomain

/// Version 6: each resource's group memberships, after its waitlist. Every member's resource keeps the whole
/// membership (as the domain does), so a resource restores its members' groups without reading any other.
extension SnapshotFormatV1 {
    /// The fewest bytes a group member takes: a one-byte resource id and a booking number.
    static let groupMemberIDBytesMin = 13

    static func write(groups: [UInt64: GroupMembership], to writer: inout BinaryWriter) {
        writer.write(UInt32(groups.count))
        for (sequence, membership) in groups.sorted(by: { $0.key < $1.key }) {
            writer.write(sequence)
            writer.write(UInt32(membership.members.count))
            for member in membership.members {
                writer.write(member.resource.rawValue)
                writer.write(member.sequence)
            }
        }
    }

    /// Refuses what `GroupMembership` would trap on or the schedule could not hold: a booking numbered outside
    /// 1…`bookings` or listed twice, fewer than two members, members out of resource order or on one resource,
    /// and a membership that does not name the booking it is kept for.
    static func readGroups(_ reader: inout BinaryReader, of resource: ResourceID, bookings: UInt64) throws
        -> [UInt64: GroupMembership]
    {
        let count = Int(try reader.read(UInt32.self))
        try checkCount(count, of: "group memberships", itemBytesMin: 12 + 2 * groupMemberIDBytesMin, in: reader)
        var groups: [UInt64: GroupMembership] = [:]
        var previous: UInt64 = 0
        for _ in 0..<count {
            let sequence = try reader.read(UInt64.self)
            let what = "the group of booking \(resource)/\(sequence)"
            guard sequence > previous, sequence <= bookings else {
                throw SnapshotError.invalid("\(what): not a booking of the file, or out of order")
            }
            previous = sequence
            let memberCount = Int(try reader.read(UInt32.self))
            try checkCount(memberCount, of: "group members", itemBytesMin: groupMemberIDBytesMin, in: reader)
            var members: [BookingID] = []
            for _ in 0..<memberCount {
                members.append(BookingID(resource: try readResourceID(&reader), sequence: try reader.read(UInt64.self)))
            }
            guard let membership = membership(members, of: BookingID(resource: resource, sequence: sequence)) else {
                throw SnapshotError.invalid("\(what): members \(members.map(\.description))")
            }
            groups[sequence] = membership
        }
        return groups
    }

    /// `members` as a membership of `booking`; nil unless they are at least two, numbered from 1, on distinct
    /// resources in resource order, and include `booking`. The journal's record decoder checks the same.
    static func membership(_ members: [BookingID], of booking: BookingID) -> GroupMembership? {
        guard members.count >= 2, members.allSatisfy({ $0.sequence > 0 }), members.contains(booking),
            zip(members, members.dropFirst()).allSatisfy({ $0.resource < $1.resource })
        else { return nil }
        return GroupMembership(members: members)
    }
}
