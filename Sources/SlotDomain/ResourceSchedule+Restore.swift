/// Rebuilding a schedule from a snapshot: the bookings are the truth, occupancy and the expiry queue are derived
/// from them (and checked while doing so: a snapshot that breaks the rules is refused, never patched up).
extension ResourceSchedule {
    public enum RestoreFailure: Error, Equatable {
        case overCapacity(booking: UInt64)
        case sequenceAhead(booking: UInt64)
        case wrongResource(booking: UInt64)
        case waitlistNumberAhead(entry: UInt64)
    }

    public init(
        restoring settings: ResourceSettings, clock: Instant, lastSequence: UInt64, bookings: [Booking],
        rules: AvailabilityRules = AvailabilityRules(), waitlist: [WaitlistEntry] = [], lastWaitlistNumber: UInt64 = 0,
        limits: DomainLimits = .standard
    ) throws(RestoreFailure) {
        self.init(settings: settings, createdAt: clock, limits: limits)
        self.lastSequence = lastSequence
        self.rules = rules
        refreshBlockIndex()
        self.lastWaitlistNumber = lastWaitlistNumber
        for entry in waitlist.sorted(by: { $0.id.number < $1.id.number }) {
            guard entry.id.number <= lastWaitlistNumber else { throw .waitlistNumberAhead(entry: entry.id.number) }
            self.waitlist[entry.id.number] = entry
            if entry.state == .waiting { waiting.append(entry.id.number) }
        }
        self.bookings.reserveCapacity(bookings.count)
        for booking in bookings.sorted(by: { $0.id.sequence < $1.id.sequence }) {
            guard booking.id.resource == settings.id else { throw .wrongResource(booking: booking.id.sequence) }
            guard booking.id.sequence <= lastSequence else { throw .sequenceAhead(booking: booking.id.sequence) }
            if booking.state.isActive {
                guard firstConflict(booking.range, excluding: nil) == nil else {
                    throw .overCapacity(booking: booking.id.sequence)
                }
                reserve(booking.range)
            }
            if booking.state == .pendingConfirmation, let expiresAt = booking.expiresAt {
                activeHoldCount += 1
                expiries.insert(PendingExpiry(at: expiresAt, sequence: booking.id.sequence))
            }
            self.bookings[booking.id.sequence] = booking
        }
    }
}
