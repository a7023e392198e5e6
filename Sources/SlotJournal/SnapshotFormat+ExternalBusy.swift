import SlotDomain

/// Version 9: each resource's `external_busy` layer, after its reminders. A start from a snapshot then decides as
/// the server did before it stopped, before any calendar is read again.
///
///     u8 0 (no layer) or 1, then: string link, i64 pulled at, u32 count, count × (i64 start, i64 end)
extension SnapshotFormatV1 {
    static func writeExternalBusy(_ busy: ExternalBusy?, to writer: inout BinaryWriter) {
        guard let busy else {
            writer.write(UInt8(0))
            return
        }
        writer.write(UInt8(1))
        writer.write(busy.link.rawValue)
        writer.write(busy.pulledAt.secondsSinceEpoch)
        writer.write(UInt32(busy.stretches.count))
        for stretch in busy.stretches {
            writer.write(stretch.start.secondsSinceEpoch)
            writer.write(stretch.end.secondsSinceEpoch)
        }
    }

    /// Refuses a link id slotd would not make, and stretches out of order or overlapping: a layer is kept merged.
    static func readExternalBusy(_ reader: inout BinaryReader, into image: inout ResourceImage) throws {
        let what = "the external busy times of \(image.settings.id)"
        switch try reader.read(UInt8.self) {
        case 0: return
        case 1: break
        default: throw SnapshotError.invalid("\(what): bad presence byte")
        }
        guard let link = CalendarLinkID(try reader.readString(maxBytes: 64)) else {
            throw SnapshotError.invalid("\(what): not a calendar link id")
        }
        let pulledAt = try readInstant(&reader, of: what)
        let count = Int(try reader.read(UInt32.self))
        try checkCount(count, of: "busy stretches", itemBytesMin: 16, in: reader)
        var stretches: [TimeRange] = []
        for _ in 0..<count {
            let stretch = try readRange(&reader, of: "a busy stretch of \(image.settings.id)", isBooking: false)
            if let last = stretches.last, last.end >= stretch.start {
                throw SnapshotError.invalid("\(what): stretches out of order")
            }
            stretches.append(stretch)
        }
        image.externalBusy = ExternalBusy(link: link, ranges: stretches, pulledAt: pulledAt)
    }
}
