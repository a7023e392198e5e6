import SlotDomain

/// The `reminders_due` record (format 9): the reminders as three lists in the same order, `bookings` (booking
/// numbers), `minutes_before` and `late` (1 or 0). Which reminders they are was decided live; replay announces
/// exactly these.
extension RecordCodec {
    static func record(for due: RemindersDueEvent, resource: ResourceID) -> JournalRecord {
        var record = JournalRecord(kind: .remindersDue, resource: resource.rawValue, at: due.at.secondsSinceEpoch)
        record.bookings = due.reminders.map(\.booking)
        record.minutesBefore = due.reminders.map(\.minutesBefore)
        record.late = due.reminders.map { $0.late ? 1 : 0 }
        return record
    }

    /// Nil unless the three lists are there, of one non-zero length, with booking numbers from 1, minutes
    /// within the domain's bound and each late flag 0 or 1.
    static func remindersEvent(from record: JournalRecord) -> ScheduleEvent? {
        let limits = DomainLimits.standard
        guard let bookings = record.bookings, let minutes = record.minutesBefore, let late = record.late,
            !bookings.isEmpty, bookings.count == minutes.count, bookings.count == late.count,
            bookings.allSatisfy({ $0 > 0 }), minutes.allSatisfy({ (1...limits.reminderMinutesBeforeMax).contains($0) }),
            late.allSatisfy({ $0 <= 1 })
        else { return nil }
        let reminders = bookings.indices.map { index in
            RemindersDueEvent.Reminder(booking: bookings[index], minutesBefore: minutes[index], late: late[index] == 1)
        }
        return .remindersDue(RemindersDueEvent(at: Instant(secondsSinceEpoch: record.at), reminders: reminders))
    }
}
