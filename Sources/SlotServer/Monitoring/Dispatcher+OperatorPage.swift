import Foundation
import SlotDomain
import SlotJournal
import SlotWire

/// What the operator page's API reads: `stats` with the busiest resources found on the same visit, and one local
/// day of one resource's bookings, read as `list_bookings` reads them.
extension Dispatcher {
    /// `stats(tenant:)`, and the `busiestMax` resources with the most active bookings (holds included), most
    /// first, ties by id; resources with none are left out. One actor hop per resource, as `stats` costs.
    func statsAndBusiest(tenant: TenantID?, busiestMax: Int) async -> (stats: ServerStats, busiest: [BusyResource]) {
        var busiest = BusiestResources(countMax: busiestMax)
        let stats = await stats(tenant: tenant) { actor, counts in
            busiest.offer(
                BusyResource(
                    id: actor.id, timeZoneIdentifier: actor.settings.timeZoneIdentifier,
                    activeBookings: counts.activeBookings, activeHolds: counts.activeHolds))
        }
        return (stats, busiest.ranked)
    }

    /// The active bookings and holds of `resource` overlapping local day `date` in the resource's own time zone
    /// (nil: the day it is there now), at most `DomainLimits.listedBookingsMax` of them (`truncated` says more
    /// exist). Like every reply, it is given once the resource's newest journal entry is durable.
    func day(of resource: ResourceID, date: LocalDate?) async throws(APIError) -> DayView {
        guard let actor = directory.actor(resource) else {
            throw APIError(.notFound, code: "not_found", "no resource \(resource.name)", field: "resource")
        }
        let zone = TimeZones.zone(actor.settings.timeZoneIdentifier)
        guard let day = date ?? zone.localDateTime(at: directory.clock.now()).flatMap(LocalDate.init(of:)) else {
            throw APIError(.badRequest, code: "invalid_request", "today is not a writable date here", field: "date")
        }
        let from = zone.firstInstant(of: day)
        let to = zone.firstInstant(of: LocalDate(days: day.days + 1))
        let outcome = await actor.read(
            .listBookings(
                resource, from: from, to: to, after: nil, limit: directory.limits.listedBookingsMax,
                customer: nil))
        do {
            try await directory.journal.waitUntilDurable(outcome.awaitedSequence)
        } catch {
            // slotd stops itself after a journal failure and logs why; the reply names no server path.
            throw APIError(.serviceUnavailable, code: "unavailable", "the journal is not writing")
        }
        switch outcome.reply {
        case .success(.bookings(let bookings, let truncated)):
            return DayView(
                resource: resource, timeZoneIdentifier: actor.settings.timeZoneIdentifier, date: day, from: from,
                to: to, bookings: bookings, truncated: truncated)
        case .success:
            preconditionFailure("list_bookings answered with something other than bookings")
        case .failure(let error):
            throw APIError(.badRequest, code: error.code, error.message)
        }
    }
}

/// The `countMax` highest-ranked resources offered so far, kept sorted: each offer costs at most `countMax` steps,
/// and nothing grows with the number of resources.
struct BusiestResources {
    let countMax: Int
    private(set) var ranked: [BusyResource] = []

    init(countMax: Int) {
        self.countMax = countMax
        ranked.reserveCapacity(countMax + 1)
    }

    mutating func offer(_ resource: BusyResource) {
        guard resource.activeBookings > 0, countMax > 0 else { return }
        if ranked.count == countMax, let last = ranked.last, !Self.isBusier(resource, than: last) { return }
        let place = ranked.firstIndex { Self.isBusier(resource, than: $0) } ?? ranked.endIndex
        ranked.insert(resource, at: place)
        if ranked.count > countMax { ranked.removeLast() }
    }

    static func isBusier(_ left: BusyResource, than right: BusyResource) -> Bool {
        (right.activeBookings, left.id.rawValue) < (left.activeBookings, right.id.rawValue)
    }
}

extension LocalDate {
    /// `YYYY-MM-DD`, as `date` fields are written; nil for anything else or a date that does not exist.
    init?(parsing text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 10, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"),
            let year = DecimalDigits.fixedWidth(utf8[0..<4], count: 4),
            let month = DecimalDigits.fixedWidth(utf8[5..<7], count: 2),
            let day = DecimalDigits.fixedWidth(utf8[8..<10], count: 2)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The date part of a wall time.
    init?(of local: LocalDateTime) {
        self.init(year: local.year, month: local.month, day: local.day)
    }
}

extension TimeZone {
    /// The first instant of local day `date`: its midnight, or, where clocks skip midnight, the moment they
    /// jump past it (which the offset in force the day before gives).
    func firstInstant(of date: LocalDate) -> Instant {
        let wall = date.days * 86_400
        let dayBefore = Instant(secondsSinceEpoch: wall - 86_400)
        let (year, month, day) = CivilCalendar.date(fromDays: date.days)
        guard let midnight = LocalDateTime(year: year, month: month, day: day, hour: 0, minute: 0) else {
            return Instant(secondsSinceEpoch: wall - offsetSeconds(at: dayBefore))
        }
        switch resolve(midnight) {
        case .exact(let instant): return instant
        case .ambiguous(let earlier, _): return earlier
        case .nonexistent: return Instant(secondsSinceEpoch: wall - offsetSeconds(at: dayBefore))
        }
    }
}
