import Foundation
import SlotDomain

/// `GET /api/overview` of the HTTP side port: what the operator page shows at the top and charts
/// (docs/OPERATIONS.md, "Operator page").
public struct OperatorOverview: Sendable {
    /// The `stats` op's reply, for the tenant `tenant` (nil: the whole server).
    public var stats: ServerStats
    public var tenant: TenantID?
    /// The resources with the most active bookings now (holds included), most first.
    public var busiest: [BusyResource]
    /// How many `busiest` may hold: the reader can tell "only these" from "the first of many".
    public var busiestMax: Int
    /// Per-second samples, oldest first.
    public var samples: [LiveSample]

    public init(stats: ServerStats, tenant: TenantID?, busiest: [BusyResource], busiestMax: Int, samples: [LiveSample])
    {
        self.stats = stats
        self.tenant = tenant
        self.busiest = busiest
        self.busiestMax = busiestMax
        self.samples = samples
    }

    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("stats")
        stats.write(to: &writer)
        writer.key("tenant")
        if let tenant { writer.string(tenant.rawValue) } else { writer.null() }
        writer.key("busiest")
        writer.beginArray()
        for resource in busiest { resource.write(to: &writer) }
        writer.endArray()
        writer.key("busiest_max")
        writer.integer(busiestMax)
        writer.key("samples")
        writer.beginArray()
        for sample in samples { sample.write(to: &writer) }
        writer.endArray()
        writer.endObject()
    }
}

/// One resource of the overview's `busiest` list.
public struct BusyResource: Sendable, Equatable {
    public var id: ResourceID
    public var timeZoneIdentifier: String
    /// Active bookings (pending confirmation, confirmed, rescheduled), unexpired holds included.
    public var activeBookings: Int
    /// Of those, the holds not yet confirmed that will expire.
    public var activeHolds: Int

    public init(id: ResourceID, timeZoneIdentifier: String, activeBookings: Int, activeHolds: Int) {
        self.id = id
        self.timeZoneIdentifier = timeZoneIdentifier
        self.activeBookings = activeBookings
        self.activeHolds = activeHolds
    }

    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("resource")
        writer.string(id.name)
        if let tenant = id.tenant {
            writer.key("tenant")
            writer.string(tenant.rawValue)
        }
        writer.key("time_zone")
        writer.string(timeZoneIdentifier)
        writer.key("active_bookings")
        writer.integer(activeBookings)
        writer.key("active_holds")
        writer.integer(activeHolds)
        writer.endObject()
    }
}

/// `GET /api/day`: one resource's active bookings and holds overlapping one local day in its own time zone, each
/// written as `list_bookings` writes it with `start_local` and `end_local` in that zone.
public struct DayView: Sendable {
    public var resource: ResourceID
    public var timeZoneIdentifier: String
    public var date: LocalDate
    /// The day's first instant and the next day's: 24 hours but on the days clocks change.
    public var from: Instant
    public var to: Instant
    public var bookings: [(booking: Booking, group: GroupID?)]
    /// More bookings overlap the day than `list_bookings` returns at once (`DomainLimits.listedBookingsMax`).
    public var truncated: Bool

    public init(
        resource: ResourceID, timeZoneIdentifier: String, date: LocalDate, from: Instant, to: Instant,
        bookings: [(booking: Booking, group: GroupID?)], truncated: Bool
    ) {
        self.resource = resource
        self.timeZoneIdentifier = timeZoneIdentifier
        self.date = date
        self.from = from
        self.to = to
        self.bookings = bookings
        self.truncated = truncated
    }

    /// Stops, like any reply, once past the writer's `bytesMax` (the caller checks `isOverLimit`).
    public func write(to writer: inout JSONWriter) {
        let zone = TimeZones.zone(timeZoneIdentifier)
        writer.beginObject()
        writer.key("resource")
        writer.string(resource.name)
        if let tenant = resource.tenant {
            writer.key("tenant")
            writer.string(tenant.rawValue)
        }
        writer.key("time_zone")
        writer.string(timeZoneIdentifier)
        writer.key("date")
        writer.string(date.description)
        writer.key("from")
        writer.instant(from)
        writer.key("to")
        writer.instant(to)
        writer.key("from_local")
        writer.string(LocalTimeText.format(from, in: zone))
        writer.key("to_local")
        writer.string(LocalTimeText.format(to, in: zone))
        ReplyEncoder.write(.bookings(bookings, truncated: truncated), zone: zone, to: &writer)
        writer.endObject()
    }
}
