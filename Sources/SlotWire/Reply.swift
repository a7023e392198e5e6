import Foundation
import SlotDomain

/// What a successful request returns; encoded by `ReplyEncoder` after `"id"` and `"ok":true`.
public enum ReplyBody: Sendable {
    case empty
    case resource(ResourceSettings)
    case resources([ResourceSettings], truncated: Bool)
    case booking(BookingSummary)
    /// A group: the bookings one multi-resource hold made, which change together.
    case group(GroupOutcome)
    case bookingWithHistory(Booking, group: GroupID?)
    case bookings([(booking: Booking, group: GroupID?)], truncated: Bool)
    /// Each op's reply in a `batch`, in order.
    case batch([BatchResult])
    case slots([Instant])
    case snapshot(SnapshotSummary)
    case stats(ServerStats)
    /// `monitor`: per-second samples, oldest first.
    case liveSamples([LiveSample])
    case rules(RulesReply)
    /// Multi-resource availability: each start, with the resources free then (all of them in `all` mode).
    case pooledSlots([(start: Instant, resources: [ResourceID])])
    /// A series booked (with the occurrences skipped), or the occurrences of one just canceled.
    case series(BookingID, bookings: [BookingSummary], skipped: [SeriesConflict])
    case waitlistEntry(WaitlistView)
    case waitlist([WaitlistView])
    /// `auth`: who the connection now acts as.
    case principal(TokenRecord)
    /// A token created (with its secret, shown this once) or revoked.
    case token(TokenRecord, secret: String?)
    case tokens([TokenRecord])
    /// `erase_customer`: what was replaced, and the journal entry through which the journal was then compacted.
    case erasure(ErasureCounts, compactedThrough: UInt64)
    /// `subscribe`: events after `fromSeq` follow; `headSeq` is the newest committed when it started; `journal`
    /// names the numbering they are in.
    case subscription(fromSeq: UInt64, headSeq: UInt64, journal: String)
    /// `unsubscribe`: the last event this connection was sent (0: none).
    case unsubscribed(lastSeq: UInt64)
    /// A webhook created (with its secret, shown this once) or read.
    case webhook(WebhookView)
    case webhooks([WebhookView])
    case webhookDeleted(WebhookID)
    case deliveries([DeliveryView], truncated: Bool)
    /// `redeliver`: the delivery, pending again.
    case delivery(DeliveryView)
}

/// Encodes one reply line, `\n` included. Field names are documented in docs/PROTOCOL.md. With a `zone` (the
/// request's `tz`), bookings and slots also carry their instants as wall times there (`start_local`, …).
public enum ReplyEncoder {
    /// Nil when the reply would be longer than `bytesMax` bytes (newline included): encoding stops as soon as it
    /// passes that, so a reply too large is never built whole.
    public static func success(id: RequestID, _ body: ReplyBody, zone: TimeZone? = nil, bytesMax: Int = .max)
        -> [UInt8]?
    {
        var writer = JSONWriter(bytesMax: bytesMax)
        writer.beginObject()
        writer.key("id")
        id.write(to: &writer)
        writer.key("ok")
        writer.bool(true)
        write(body, zone: zone, to: &writer)
        writer.endObject()
        writer.newline()
        guard !writer.isOverLimit else { return nil }
        return writer.bytes
    }

    public static func failure(id: RequestID, _ error: WireError) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("id")
        id.write(to: &writer)
        writer.key("ok")
        writer.bool(false)
        writer.key("error")
        write(error, to: &writer)
        writer.endObject()
        writer.newline()
        return writer.bytes
    }

    static func write(_ body: ReplyBody, zone: TimeZone?, to writer: inout JSONWriter) {
        switch body {
        case .empty:
            break
        case .resource(let settings):
            writer.key("resource")
            write(settings, to: &writer)
        case .resources(let list, let truncated):
            writer.key("resources")
            writer.beginArray()
            for settings in list where !writer.isOverLimit { write(settings, to: &writer) }
            writer.endArray()
            writer.key("truncated")
            writer.bool(truncated)
            if truncated, let last = list.last {
                writer.key("next")
                writer.string(last.id.name)
            }
        case .booking(let summary):
            writer.key("booking")
            writer.beginObject()
            write(summary, zone: zone, to: &writer)
            writer.endObject()
        case .group(let outcome):
            writer.key("group")
            write(outcome, zone: zone, to: &writer)
        case .batch(let results):
            writer.key("results")
            write(results, to: &writer)
        case .bookingWithHistory(let booking, let group):
            writer.key("booking")
            writer.beginObject()
            var summary = booking.summary
            summary.group = group
            write(summary, zone: zone, to: &writer)
            writeSeries(of: booking, to: &writer)
            writeHistory(booking.history, to: &writer)
            if booking.historyOmitted > 0 {
                writer.key("history_omitted")
                writer.integer(booking.historyOmitted)
            }
            writer.endObject()
        case .bookings(let list, let truncated):
            writer.key("bookings")
            writer.beginArray()
            for (booking, group) in list where !writer.isOverLimit {
                writer.beginObject()
                var summary = booking.summary
                summary.group = group
                write(summary, zone: zone, to: &writer)
                writeSeries(of: booking, to: &writer)
                writer.endObject()
            }
            writer.endArray()
            writer.key("truncated")
            writer.bool(truncated)
            if truncated, let last = list.last {
                writer.key("next")
                writer.string(last.booking.id.description)
            }
        case .slots(let starts):
            writer.key("slots")
            writer.beginArray()
            for start in starts where !writer.isOverLimit { writer.instant(start) }
            writer.endArray()
            if let zone {
                writer.key("slots_local")
                writer.beginArray()
                for start in starts where !writer.isOverLimit { writer.string(LocalTimeText.format(start, in: zone)) }
                writer.endArray()
            }
        case .snapshot(let summary):
            writer.key("snapshot")
            summary.write(to: &writer)
        case .stats(let stats):
            writer.key("stats")
            stats.write(to: &writer)
        case .liveSamples(let samples):
            writer.key("samples")
            writer.beginArray()
            for sample in samples where !writer.isOverLimit { sample.write(to: &writer) }
            writer.endArray()
        case .rules(let reply):
            reply.write(to: &writer)
        case .pooledSlots(let slots):
            write(.slots(slots.map(\.start)), zone: zone, to: &writer)
            writer.key("free_resources")
            writer.beginArray()
            for slot in slots where !writer.isOverLimit {
                writer.beginArray()
                for resource in slot.resources { writer.string(resource.name) }
                writer.endArray()
            }
            writer.endArray()
        case .series(let series, let bookings, let skipped):
            writeSeries(series, bookings: bookings, skipped: skipped, zone: zone, to: &writer)
        case .waitlistEntry(let view):
            writer.key("entry")
            write(view, zone: zone, to: &writer)
        case .waitlist(let views):
            writer.key("entries")
            writer.beginArray()
            for view in views where !writer.isOverLimit { write(view, zone: zone, to: &writer) }
            writer.endArray()
        case .principal(let token):
            writer.key("principal")
            write(token, to: &writer)
        case .token(let token, let secret):
            writer.key("token")
            write(token, to: &writer)
            if let secret {
                writer.key("secret")
                writer.string(secret)
            }
        case .tokens(let tokens):
            writer.key("tokens")
            writer.beginArray()
            for token in tokens where !writer.isOverLimit { write(token, to: &writer) }
            writer.endArray()
        case .erasure(let counts, let compactedThrough):
            writeErasure(counts, compactedThrough: compactedThrough, to: &writer)
        case .subscription, .unsubscribed, .webhook, .webhooks, .webhookDeleted, .deliveries, .delivery:
            writeEventReply(body, to: &writer)
        }
    }

    static func writeSeries(of booking: Booking, to writer: inout JSONWriter) {
        guard let series = booking.series else { return }
        writer.key("series")
        writer.string(BookingID(resource: booking.id.resource, sequence: series).description)
    }

    static func write(_ settings: ResourceSettings, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.string(settings.id.name)
        if let tenant = settings.id.tenant {
            writer.key("tenant")
            writer.string(tenant.rawValue)
        }
        writer.key("tz")
        writer.string(settings.timeZoneIdentifier)
        for (name, value) in [
            ("slot_minutes", settings.slotMinutes), ("capacity", settings.capacity),
            ("buffer_before_minutes", settings.bufferBeforeMinutes),
            ("buffer_after_minutes", settings.bufferAfterMinutes), ("hold_ttl_seconds", settings.holdTTLSeconds),
            ("horizon_days", settings.horizonDays),
        ] {
            writer.key(name)
            writer.integer(value)
        }
        // Only when set: replies about resources without reminders stay as they were.
        if !settings.remindersMinutesBefore.isEmpty {
            writer.key("reminders_minutes_before")
            writer.beginArray()
            for minutes in settings.remindersMinutesBefore { writer.integer(minutes) }
            writer.endArray()
        }
        writer.endObject()
    }

    static func write(_ summary: BookingSummary, zone: TimeZone?, to writer: inout JSONWriter) {
        writer.key("id")
        writer.string(summary.id.description)
        writer.key("resource")
        writer.string(summary.id.resource.name)
        write(summary.range, to: &writer)
        writer.key("customer")
        writer.string(summary.customer)
        writer.key("state")
        writer.string(summary.state.rawValue)
        if let expiresAt = summary.expiresAt {
            writer.key("expires_at")
            writer.instant(expiresAt)
        }
        if let group = summary.group {
            writer.key("group")
            writer.string(group.description)
        }
        if let zone {
            write(summary.range, localIn: zone, to: &writer)
            if let expiresAt = summary.expiresAt {
                writer.key("expires_at_local")
                writer.string(LocalTimeText.format(expiresAt, in: zone))
            }
        }
    }

    /// A list of booking objects.
    static func write(_ summaries: [BookingSummary], zone: TimeZone?, to writer: inout JSONWriter) {
        writer.beginArray()
        for summary in summaries where !writer.isOverLimit {
            writer.beginObject()
            write(summary, zone: zone, to: &writer)
            writer.endObject()
        }
        writer.endArray()
    }

    /// `start` and `end` in UTC.
    static func write(_ range: TimeRange, to writer: inout JSONWriter) {
        writer.key("start")
        writer.instant(range.start)
        writer.key("end")
        writer.instant(range.end)
    }

    /// `start_local` and `end_local`: the same instants as wall times in `zone`.
    static func write(_ range: TimeRange, localIn zone: TimeZone, to writer: inout JSONWriter) {
        writer.key("start_local")
        writer.string(LocalTimeText.format(range.start, in: zone))
        writer.key("end_local")
        writer.string(LocalTimeText.format(range.end, in: zone))
    }

    static func writeHistory(_ history: [Transition], to writer: inout JSONWriter) {
        writer.key("history")
        writer.beginArray()
        for transition in history where !writer.isOverLimit {
            writer.beginObject()
            writer.key("from")
            if let from = transition.from { writer.string(from.rawValue) } else { writer.null() }
            writer.key("to")
            writer.string(transition.to.rawValue)
            let signed = Actors.split(transition.actor)
            writer.key("actor")
            writer.string(signed.actor)
            if let onBehalfOf = signed.onBehalfOf {
                writer.key("on_behalf_of")
                writer.string(onBehalfOf)
            }
            writer.key("at")
            writer.instant(transition.at)
            if let previous = transition.previousRange {
                writer.key("previous_start")
                writer.instant(previous.start)
                writer.key("previous_end")
                writer.instant(previous.end)
            }
            if let reason = transition.reason {
                writer.key("reason")
                writer.string(reason)
            }
            writer.endObject()
        }
        writer.endArray()
    }
}
