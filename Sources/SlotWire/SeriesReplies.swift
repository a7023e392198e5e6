import Foundation
import SlotDomain

/// A waitlist entry as replies show it: the domain's value, also what an idempotency key remembers.
public typealias WaitlistView = WaitlistOutcome

extension ReplyEncoder {
    static func writeSeries(
        _ series: BookingID, bookings: [BookingSummary], skipped: [SeriesConflict], zone: TimeZone?,
        to writer: inout JSONWriter
    ) {
        writer.key("series")
        writer.string(series.description)
        writer.key("bookings")
        write(bookings, zone: zone, to: &writer)
        writer.key("skipped")
        write(skipped, to: &writer)
    }

    /// Occurrences of a series that were not booked: on a `series_conflict` refusal, or skipped.
    static func write(_ conflicts: [SeriesConflict], to writer: inout JSONWriter) {
        writer.beginArray()
        for conflict in conflicts where !writer.isOverLimit {
            writer.beginObject()
            writer.key("date")
            writer.string(conflict.date.description)
            if let range = conflict.range { write(range, to: &writer) }
            writer.key("code")
            writer.string(conflict.code.rawValue)
            writer.key("message")
            writer.string(conflict.message)
            writer.endObject()
        }
        writer.endArray()
    }

    static func write(_ view: WaitlistView, zone: TimeZone?, to writer: inout JSONWriter) {
        let entry = view.entry
        writer.beginObject()
        writer.key("id")
        writer.string(entry.id.description)
        writer.key("resource")
        writer.string(entry.id.resource.name)
        write(entry.range, to: &writer)
        writer.key("customer")
        writer.string(entry.customer)
        writer.key("state")
        writer.string(entry.state.rawValue)
        writer.key("joined_at")
        writer.instant(entry.joinedAt)
        if let position = view.position {
            writer.key("position")
            writer.integer(position)
        }
        if let settledAt = entry.settledAt {
            writer.key("settled_at")
            writer.instant(settledAt)
        }
        if let zone { write(entry.range, localIn: zone, to: &writer) }
        if let booking = view.booking {
            writer.key("booking")
            writer.beginObject()
            write(booking, zone: zone, to: &writer)
            writer.endObject()
        }
        writer.endObject()
    }
}
