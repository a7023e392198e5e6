import SlotDomain

/// Version 8: each resource's reminder setting and its `reminded through` instant, after its groups. The queue of
/// reminders due is not stored: it follows from the bookings, the setting and that instant.
///
///     u32 count, u32 minutes each (as given at creation), i64 reminded through (seconds since the epoch)
extension SnapshotFormatV1 {
    static func writeReminders(of resource: ResourceImage, to writer: inout BinaryWriter) {
        writeReminderSetting(resource.settings, to: &writer)
        writer.write((resource.remindedThrough ?? resource.clock).secondsSinceEpoch)
    }

    /// The setting alone, as a kept `create_resource` reply also carries it.
    static func writeReminderSetting(_ settings: ResourceSettings, to writer: inout BinaryWriter) {
        writer.write(UInt32(settings.remindersMinutesBefore.count))
        for minutes in settings.remindersMinutesBefore { writer.write(UInt32(minutes)) }
    }

    static func readReminderSetting(_ reader: inout BinaryReader, into settings: inout ResourceSettings) throws {
        let count = Int(try reader.read(UInt32.self))
        try checkCount(count, of: "reminder settings", itemBytesMin: 4, in: reader)
        var minutes: [Int] = []
        for _ in 0..<count { minutes.append(Int(try reader.read(UInt32.self))) }
        settings.remindersMinutesBefore = minutes
        if let rejection = settings.validate() {
            throw SnapshotError.invalid("resource \(settings.id): \(rejection.message)")
        }
    }

    /// Refuses a setting the domain would refuse, and an instant after the resource's clock (reminders cannot
    /// have gone out later than the schedule's own time).
    static func readReminders(_ reader: inout BinaryReader, into image: inout ResourceImage) throws {
        try readReminderSetting(&reader, into: &image.settings)
        let remindedThrough = try readInstant(&reader, of: "the reminders of \(image.settings.id)")
        guard remindedThrough <= image.clock else {
            throw SnapshotError.invalid("resource \(image.settings.id): reminded past its clock")
        }
        image.remindedThrough = remindedThrough
    }
}
