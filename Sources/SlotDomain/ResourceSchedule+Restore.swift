/// Rebuilding a schedule from a snapshot: the bookings are the truth, occupancy and the expiry queue are derived
/// from them (and checked while doing so: a snapshot that breaks the rules is refused, never patched up). The
/// check is the order-free form of the placement rule: at no instant more cores than capacity, and no buffer over
/// an instant whose capacity cores fill. Re-admitting bookings one by one in number order would refuse valid
/// states: with buffers and capacity above one, which bookings may sit together depends on which came first.
extension ResourceSchedule {
    public enum RestoreFailure: Error, Equatable {
        case overCapacity(booking: UInt64)
        case sequenceAhead(booking: UInt64)
        case wrongResource(booking: UInt64)
        case waitlistNumberAhead(entry: UInt64)
        /// A group kept for a booking that is not here, or whose members do not include it.
        case groupWithoutMember(booking: UInt64)
    }

    public init(
        restoring settings: ResourceSettings, clock: Instant, lastSequence: UInt64, bookings: [Booking],
        rules: AvailabilityRules = AvailabilityRules(), waitlist: [WaitlistEntry] = [], lastWaitlistNumber: UInt64 = 0,
        groups: [UInt64: GroupMembership] = [:], remindedThrough: Instant? = nil, externalBusy: ExternalBusy? = nil,
        limits: DomainLimits = .standard
    ) throws(RestoreFailure) {
        self.init(settings: settings, createdAt: clock, limits: limits)
        self.externalBusy = externalBusy
        // A snapshot without it is older than reminders, and its resources have none.
        self.remindedThrough = remindedThrough ?? clock
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
        let sorted = bookings.sorted(by: { $0.id.sequence < $1.id.sequence })
        for booking in sorted {
            guard booking.id.resource == settings.id else { throw .wrongResource(booking: booking.id.sequence) }
            guard booking.id.sequence <= lastSequence else { throw .sequenceAhead(booking: booking.id.sequence) }
            if booking.state.isActive {
                // Only cores here: whether a buffer may cover a booking depends on which came first, which a
                // snapshot does not keep; the order-free form of that rule is checked once all are in place.
                guard occupancy.firstFull(granules(booking.range), padded: false) == nil else {
                    throw .overCapacity(booking: booking.id.sequence)
                }
                reserve(booking.range)
            }
            if booking.state == .pendingConfirmation, let expiresAt = booking.expiresAt {
                activeHoldCount += 1
                expiries.insert(PendingExpiry(at: expiresAt, sequence: booking.id.sequence))
            }
            self.bookings[booking.id.sequence] = booking
            if booking.state == .confirmed || booking.state == .rescheduled { queueReminders(of: booking) }
        }
        for booking in sorted where booking.state.isActive {
            if occupancy.firstBufferOverFullCores(granules(booking.range)) != nil {
                throw .overCapacity(booking: booking.id.sequence)
            }
        }
        for (sequence, membership) in groups {
            guard let booking = self.bookings[sequence], membership.members.contains(booking.id) else {
                throw .groupWithoutMember(booking: sequence)
            }
        }
        self.groups = groups
    }
}
