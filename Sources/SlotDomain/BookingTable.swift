/// A resource's bookings by sequence number. Sequences are handed out 1, 2, 3, … and bookings are never removed,
/// so they live in an array indexed by sequence: no hashing on the hot path, and no hash-table slack (a dictionary
/// cost about 50 bytes more per booking).
public struct BookingTable: Sendable, Equatable {
    /// Slot `i` holds booking `i + 1`; nil only where a restored snapshot skipped a number.
    private var slots: [Booking?] = []
    public private(set) var count = 0

    public init() {}

    public subscript(sequence: UInt64) -> Booking? {
        get {
            guard sequence >= 1, sequence <= UInt64(slots.count) else { return nil }
            return slots[Int(sequence - 1)]
        }
        set {
            precondition(sequence >= 1, "booking sequence 0")
            let index = Int(sequence - 1)
            if index >= slots.count {
                guard let newValue else { preconditionFailure("removing a booking that does not exist") }
                precondition(newValue.id.sequence == sequence, "booking \(newValue.id) stored as \(sequence)")
                append(newValue)
                return
            }
            switch (slots[index] == nil, newValue == nil) {
            case (true, false): count += 1
            case (false, true): count -= 1
            default: break
            }
            slots[index] = newValue
        }
    }

    /// Adds a booking numbered after every one here: the hot path, moving the booking in rather than copying it.
    public mutating func append(_ booking: consuming Booking) {
        let index = Int(booking.id.sequence) - 1
        precondition(index >= slots.count, "bookings are appended in sequence order")
        grow(toHold: index + 1)
        while slots.count < index { slots.append(nil) }
        slots.append(booking)
        count += 1
    }

    /// Grows by a quarter (at least 4 slots) rather than doubling: most resources hold few bookings, and doubling
    /// left a third of the table empty on average, at over 100 bytes a slot.
    private mutating func grow(toHold count: Int) {
        guard count > slots.capacity else { return }
        slots.reserveCapacity(max(count, slots.capacity + max(4, slots.capacity / 4)))
    }

    /// Every booking, in sequence order.
    public var values: [Booking] { slots.compactMap { $0 } }

    /// The bookings for which `isIncluded` holds, in sequence order, without first copying every booking out
    /// (`values` copies them all: about 100 MB on a resource with a million bookings).
    public func filter(_ isIncluded: (Booking) -> Bool) -> [Booking] {
        var matches: [Booking] = []
        for case let booking? in slots where isIncluded(booking) { matches.append(booking) }
        return matches
    }

    /// How many bookings satisfy `predicate`, without copying them out.
    public func count(where predicate: (Booking) -> Bool) -> Int {
        var matching = 0
        for case let booking? in slots where predicate(booking) { matching += 1 }
        return matching
    }

    public mutating func reserveCapacity(_ capacity: Int) { slots.reserveCapacity(capacity) }
}
