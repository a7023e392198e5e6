import SlotDomain

/// Snapshot file format, version 1 (docs/SNAPSHOT_FORMAT.md). Little-endian; strings are u32 length + UTF-8.
///
///     "SLOTSNAP" u16 version
///     header: journal id, u64 journal sequence, i64 created at, u32 resources, u64 bookings, u32 keys
///     resources, then idempotency keys (layouts below), then (version 7) the token table
///     trailer: u32 CRC-32 of every byte before it, "SNAPEND!"
///
/// On-disk codes for states and reply kinds are fixed here, apart from the in-memory enums, so that reordering
/// or renaming a Swift case can never change what an old file means.
enum SnapshotFormatV1 {
    static let magic = Array("SLOTSNAP".utf8)
    static let trailerMagic = Array("SNAPEND!".utf8)
    /// The newest version, 8. Version 2 added each resource's availability rules; 3 each booking's series and
    /// each resource's waitlist; 4 the count of history entries a booking dropped to stay within its maximum; 5 the
    /// replies of rule, series and waitlist ops kept under idempotency keys (reply kinds 3 to 5); 6 each resource's
    /// group memberships, the group and batch replies (kinds 6 and 7) and a kept booking's group; 7 the token
    /// table; 8 each resource's reminder setting and `reminded through` instant (`SnapshotFormat+Reminders.swift`);
    /// 9 each resource's external busy times (`SnapshotFormat+ExternalBusy.swift`).
    /// A file is written in the oldest version that holds it (`version(of:)`). Read: 1 to 9.
    static let version: UInt16 = 9
    static let versionsRead: ClosedRange<UInt16> = 1...9

    /// The oldest version that holds `image`, at least 4: a server whose clients use no group, batch, token or key
    /// on a rule, series or waitlist op keeps writing files the previous servers read, as its journal records keep
    /// their older formats (decisions 0018, 0020 and 0021).
    static func version(of image: SnapshotImage) -> UInt16 {
        if image.resources.contains(where: { $0.externalBusy != nil }) { return 9 }
        if image.resources.contains(where: { !$0.settings.remindersMinutesBefore.isEmpty }) { return 8 }
        if !image.tokens.byID.isEmpty { return 7 }
        if image.resources.contains(where: { !$0.groups.isEmpty }) { return 6 }
        return image.idempotency.reduce(4) { max($0, versionNeeded(by: $1.reply)) }
    }
    static let absent: Int64 = .min

    /// A booking state's code. A switch, not a dictionary: it runs three times per booking in every snapshot, and
    /// the hashing showed in the profile of a server snapshotting under load.
    static func code(_ state: BookingState) -> UInt8 {
        switch state {
        case .pendingConfirmation: 1
        case .confirmed: 2
        case .rescheduled: 3
        case .completed: 4
        case .canceled: 5
        case .expired: 6
        case .noShow: 7
        }
    }

    static func bookingState(code: UInt8) -> BookingState? {
        switch code {
        case 1: .pendingConfirmation
        case 2: .confirmed
        case 3: .rescheduled
        case 4: .completed
        case 5: .canceled
        case 6: .expired
        case 7: .noShow
        default: nil
        }
    }

    // MARK: Writing

    static func encode(_ image: SnapshotImage) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(image) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Encodes `image` in pieces of about `chunkBytes` (more when one resource is larger), handed to `sink` in
    /// order, with the checksum computed as they go: the whole file is never in memory at once, so the kernel
    /// never clears the fresh pages of a buffer as large as the file. A piece stays under glibc's 128 KiB mmap
    /// threshold, so its buffer comes from the heap. The measurements behind the piece size are in
    /// docs/decisions/0007-piecewise-snapshots.md.
    static func encode<Failure: Error>(
        _ image: SnapshotImage, chunkBytes: Int = 96 * 1_024,
        to sink: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Void
    ) throws(Failure) {
        var writer = BinaryWriter(reservingCapacity: chunkBytes + 16 * 1_024)
        var checksum: UInt32 = 0
        func handOn() throws(Failure) {
            guard !writer.bytes.isEmpty else { return }
            checksum = writer.bytes.withUnsafeBufferPointer { CRC32.checksum(continuing: checksum, $0) }
            try writer.bytes.withUnsafeBufferPointer { buffer throws(Failure) in try sink(buffer) }
            writer.clear()
        }
        let version = version(of: image)
        writer.write(raw: magic)
        writer.write(version)
        writeHeader(image, to: &writer)
        for resource in image.resources {
            write(resource, version: version, to: &writer)
            if writer.bytes.count >= chunkBytes { try handOn() }
        }
        for record in image.idempotency {
            write(record, version: version, to: &writer)
            if writer.bytes.count >= chunkBytes { try handOn() }
        }
        if version >= 7 { write(tokens: image.tokens, capturedAt: image.tokensJournalSequence, to: &writer) }
        try handOn()
        writer.write(checksum)
        writer.write(raw: trailerMagic)
        try writer.bytes.withUnsafeBufferPointer { buffer throws(Failure) in try sink(buffer) }
    }

    static func writeHeader(_ image: SnapshotImage, to writer: inout BinaryWriter) {
        writer.write(image.journalID)
        writer.write(image.journalSequence)
        writer.write(image.createdAt.secondsSinceEpoch)
        writer.write(UInt32(image.resources.count))
        writer.write(UInt64(image.bookingCount))
        writer.write(UInt32(image.idempotency.count))
    }

    static func write(_ settings: ResourceSettings, to writer: inout BinaryWriter) {
        writer.write(settings.id.rawValue)
        writer.write(settings.timeZoneIdentifier)
        for value in [
            settings.slotMinutes, settings.capacity, settings.bufferBeforeMinutes, settings.bufferAfterMinutes,
            settings.holdTTLSeconds, settings.horizonDays,
        ] {
            writer.write(UInt32(value))
        }
    }

    static func write(_ resource: ResourceImage, version: UInt16, to writer: inout BinaryWriter) {
        write(resource.settings, to: &writer)
        writer.write(resource.clock.secondsSinceEpoch)
        writer.write(resource.lastBookingSequence)
        writer.write(resource.createdJournalSequence)
        writer.write(resource.capturedJournalSequence)
        writer.write(UInt32(resource.bookings.count))
        for booking in resource.bookings {
            writer.write(booking.id.sequence)
            write(booking.range, to: &writer)
            writer.write(booking.customer)
            writer.write(code(booking.state))
            writer.write(booking.expiresAt?.secondsSinceEpoch ?? absent)
            writer.write(booking.series ?? 0)
            let history = booking.history
            writer.write(UInt32(history.count))
            for transition in history {
                writer.write(transition.from.map(code) ?? 0)
                writer.write(code(transition.to))
                writer.write(transition.actor)
                writer.write(transition.at.secondsSinceEpoch)
                writer.write(transition.previousRange?.start.secondsSinceEpoch ?? absent)
                writer.write(transition.previousRange?.end.secondsSinceEpoch ?? absent)
                writer.write(UInt8(transition.reason == nil ? 0 : 1))
                if let reason = transition.reason { writer.write(reason) }
            }
            writer.write(UInt32(clamping: booking.historyOmitted))
        }
        write(resource.rules, to: &writer)
        write(waitlist: resource.waitlist, last: resource.lastWaitlistNumber, to: &writer)
        if version >= 6 { write(groups: resource.groups, to: &writer) }
        if version >= 8 { writeReminders(of: resource, to: &writer) }
        if version >= 9 { writeExternalBusy(resource.externalBusy, to: &writer) }
    }

    static let waitlistStateCodes: [WaitlistEntry.State: UInt8] = [.waiting: 1, .promoted: 2, .left: 3, .lapsed: 4]
    static let waitlistStatesByCode = Dictionary(uniqueKeysWithValues: waitlistStateCodes.map { ($1, $0) })

    /// Version 3: every waitlist entry in number order, then the last number given out.
    static func write(waitlist: [WaitlistEntry], last: UInt64, to writer: inout BinaryWriter) {
        writer.write(UInt32(waitlist.count))
        for entry in waitlist.sorted(by: { $0.id.number < $1.id.number }) { write(entry, to: &writer) }
        writer.write(last)
    }

    static func write(_ entry: WaitlistEntry, to writer: inout BinaryWriter) {
        writer.write(entry.id.number)
        write(entry.range, to: &writer)
        writer.write(entry.customer)
        writer.write(entry.actor)
        writer.write(entry.joinedAt.secondsSinceEpoch)
        writer.write(waitlistStateCodes[entry.state]!)
        writer.write(entry.booking ?? 0)
        writer.write(entry.settledAt?.secondsSinceEpoch ?? absent)
    }

    /// Version 2: weekly hours (present flag, 7 days of intervals), overrides, blocks, limits.
    static func write(_ rules: AvailabilityRules, to writer: inout BinaryWriter) {
        func intervals(_ list: [LocalInterval]) {
            writer.write(UInt32(list.count))
            for interval in list {
                writer.write(UInt16(interval.startMinute))
                writer.write(UInt16(interval.endMinute))
            }
        }
        writer.write(UInt8(rules.weeklyHours == nil ? 0 : 1))
        for day in rules.weeklyHours?.days ?? [] { intervals(day) }
        writer.write(UInt32(rules.overrides.count))
        for (date, override) in rules.overrides.sorted(by: { $0.key < $1.key }) {
            writer.write(date.days)
            switch override {
            case .closed: writer.write(UInt8(1))
            case .hours(let list):
                writer.write(UInt8(2))
                intervals(list)
            }
        }
        writer.write(UInt32(rules.blocks.count))
        for block in rules.blocks.values.sorted(by: { $0.id < $1.id }) {
            writer.write(block.id)
            write(block.range, to: &writer)
            writer.write(block.label)
        }
        writer.write(rules.lastBlockID)
        writer.write(UInt32(rules.minNoticeMinutes))
        writer.write(Int32(rules.maxBookingsPerDay ?? -1))
    }

    static func write(_ range: TimeRange, to writer: inout BinaryWriter) {
        writer.write(range.start.secondsSinceEpoch)
        writer.write(range.end.secondsSinceEpoch)
    }
}
