/// Reminders sent at `at` (issue 19): each names a confirmed booking, how long before its start the reminder was
/// due, and whether it goes out `late`. Decided once, live (`ResourceSchedule.decideReminders(now:)`), and
/// journaled, so it gets its place in the journal and replay announces exactly these, never decides again.
public struct RemindersDueEvent: Hashable, Sendable {
    public struct Reminder: Hashable, Sendable {
        public var booking: UInt64
        public var minutesBefore: Int
        /// It goes out more than `DomainLimits.reminderLatenessSecondsMax` after it fell due.
        public var late: Bool

        public init(booking: UInt64, minutesBefore: Int, late: Bool) {
            self.booking = booking
            self.minutesBefore = minutesBefore
            self.late = late
        }
    }

    public var at: Instant
    public var reminders: [Reminder]

    public init(at: Instant, reminders: [Reminder]) {
        precondition(!reminders.isEmpty, "a reminders entry sends at least one")
        self.at = at
        self.reminders = reminders
    }
}

/// One reminder in the schedule's queue: when it falls due, for which booking, how long before its start.
struct PendingReminder: Comparable, Hashable, Sendable {
    var at: Instant
    var sequence: UInt64
    var minutesBefore: Int

    static func < (lhs: PendingReminder, rhs: PendingReminder) -> Bool {
        (lhs.at, lhs.sequence, lhs.minutesBefore) < (rhs.at, rhs.sequence, rhs.minutesBefore)
    }
}

/// Which reminders are due. A confirmed (or rescheduled) booking has a reminder at `start − m` minutes for each
/// `m` of `reminders_minutes_before`, unless that instant is not after the moment the booking took its current
/// state and time (`Booking.lastChangedAt`): a booking confirmed 30 minutes before its start gets no 60-minute
/// reminder, late or not. A cancel removes its reminders, a reschedule moves them to the new start. A reminder
/// goes out once: `remindedThrough` says every reminder due until then is settled, and a booking that moves later
/// than that only gets reminders due after its move. One whose booking has begun by the time it is noticed (the
/// server was down) is dropped.
extension ResourceSchedule {
    /// When the soonest queued reminder falls due (it may have become stale since: `decideReminders` passes over
    /// it). Lets a sweeper skip resources with nothing due.
    public var nextReminder: Instant? { reminderQueue.minimum?.at }

    /// The entry to journal at `now` when reminders are due, or nil. Drops the queue's front entries that will
    /// never go out (their booking canceled, moved or begun), which applying an entry would drop anyway, so that
    /// they cause no entry; otherwise changes nothing.
    public mutating func decideReminders(now: Instant) -> ScheduleEvent? {
        let at = max(now, clock)
        while let next = reminderQueue.minimum, next.at <= at, !isSendable(next, at: at) {
            reminderQueue.removeMinimum()
        }
        guard let first = reminderQueue.minimum, first.at <= at else { return nil }
        var due = Set<PendingReminder>()  // a booking moved away and back has its reminder queued twice
        reminderQueue.forEach(notAbove: PendingReminder(at: at, sequence: .max, minutesBefore: .max)) { entry in
            if isSendable(entry, at: at) { due.insert(entry) }
        }
        let reminders = due.sorted().map { entry in
            RemindersDueEvent.Reminder(
                booking: entry.sequence, minutesBefore: entry.minutesBefore,
                late: at.secondsSinceEpoch - entry.at.secondsSinceEpoch > limits.reminderLatenessSecondsMax)
        }
        return .remindersDue(RemindersDueEvent(at: at, reminders: reminders))
    }

    /// Whether `entry` still stands for a reminder its booking should get, sent at `at`.
    private func isSendable(_ entry: PendingReminder, at: Instant) -> Bool {
        guard let booking = bookings[entry.sequence] else { return false }
        return Self.isQueued(entry, of: booking, remindedThrough: remindedThrough) && booking.range.start > at
    }

    /// Whether `entry` is a reminder `booking` has now: it is confirmed, starts `minutesBefore` after the
    /// entry's time, had that time before the entry fell due, and the entry is not settled yet.
    private static func isQueued(_ entry: PendingReminder, of booking: Booking, remindedThrough: Instant) -> Bool {
        (booking.state == .confirmed || booking.state == .rescheduled)
            && booking.range.start.adding(seconds: -Int64(entry.minutesBefore) * 60) == entry.at
            && entry.at > booking.lastChangedAt && entry.at > remindedThrough
    }

    /// Queues the reminders of `booking`, which has just been confirmed or moved (or restored).
    mutating func queueReminders(of booking: Booking) {
        for minutes in settings.remindersMinutesBefore {
            let entry = PendingReminder(
                at: booking.range.start.adding(seconds: -Int64(minutes) * 60), sequence: booking.id.sequence,
                minutesBefore: minutes)
            if Self.isQueued(entry, of: booking, remindedThrough: remindedThrough) { reminderQueue.insert(entry) }
        }
    }

    /// After a transition of `booking` from `from`: queues its new reminders, and counts the ones it may have
    /// left behind, rebuilding the queue once they could be half of it. The rebuild is O(queue) and comes after
    /// at least half a queue of transitions, so each costs O(1) over time, and the queue stays within about twice
    /// the live reminders.
    mutating func reminderBookingMoved(_ booking: Booking, from: BookingState) {
        guard !settings.remindersMinutesBefore.isEmpty else { return }
        if from == .confirmed || from == .rescheduled {
            reminderQueueStaleCount += settings.remindersMinutesBefore.count
        }
        if booking.state == .confirmed || booking.state == .rescheduled { queueReminders(of: booking) }
        guard reminderQueueStaleCount > reminderQueue.count / 2 + 64 else { return }
        let (bookings, remindedThrough) = (self.bookings, self.remindedThrough)  // read while the queue changes
        reminderQueue.removeAll { entry in
            guard let booking = bookings[entry.sequence] else { return true }
            return !Self.isQueued(entry, of: booking, remindedThrough: remindedThrough)
        }
        reminderQueueStaleCount = 0
    }

    /// Announces the reminders of `due`, and settles every reminder due by its instant.
    mutating func applyReminders(_ due: RemindersDueEvent) {
        for reminder in due.reminders {
            guard let booking = bookings[reminder.booking],
                booking.state == .confirmed || booking.state == .rescheduled, booking.range.start > due.at
            else { preconditionFailure("a reminder of booking \(reminder.booking) in \(id), which is not ahead") }
            changeLog.record(
                ChangeEvent(
                    kind: .bookingReminder, at: due.at, resource: id, zone: grid.timeZone,
                    booking: summary(of: booking),
                    minutesBefore: reminder.minutesBefore, late: reminder.late))
        }
        if due.at > remindedThrough { remindedThrough = due.at }
        while let next = reminderQueue.minimum, next.at <= remindedThrough { reminderQueue.removeMinimum() }
    }
}
