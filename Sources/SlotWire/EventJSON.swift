import Foundation
import SlotDomain

/// Change events as JSON (docs/PROTOCOL.md, "Events and subscriptions"): the object a subscriber gets in an event
/// line and a webhook gets as its body. Written with the replies' own writers, so a booking in an event reads as
/// it does in a reply.
public enum EventJSON {
    /// The type of the notice a subscriber gets when it fell behind, before its connection is closed.
    public static let laggedType = "stream.lagged"

    /// The most bytes one event body can take. Not checked while writing: the domain's limits bound every part
    /// (a group's members by `resourcesPerQueryMax`, strings by their byte limits, a day's hours by
    /// `hoursIntervalsPerDayMax`), and a test writes the largest events those limits allow and checks they fit.
    /// A webhook sender whose body limit is at least this never refuses an event.
    public static let bodyBytesMax = 256 * 1_024

    /// The event object, e.g. `{"seq":7,"type":"booking.held","at":"…Z","resource":"dr-smith","booking":{…}}`.
    public static func body(of event: ChangeEvent, seq: UInt64) -> [UInt8] {
        var writer = JSONWriter(capacity: 512)
        writer.beginObject()
        writer.key("seq")
        writer.integer(seq)
        writer.key("type")
        writer.string(event.kind.rawValue)
        writer.key("at")
        writer.instant(event.at)
        writer.key("resource")
        writer.string(event.resource.name)
        if let tenant = event.resource.tenant {
            writer.key("tenant")
            writer.string(tenant.rawValue)
        }
        if let booking = event.booking {
            writer.key("booking")
            writer.beginObject()
            ReplyEncoder.write(booking, zone: event.zone, to: &writer)
            writer.endObject()
        }
        if let previous = event.previous {
            writer.key("previous")
            writer.beginObject()
            ReplyEncoder.write(previous.range, to: &writer)
            writer.key("state")
            writer.string(previous.state.rawValue)
            writer.endObject()
        }
        if let entry = event.waitlistEntry {
            writer.key("waitlist_entry")
            writer.string(entry.description)
        }
        if let group = event.group {
            writer.key("group")
            writer.string(group.description)
            writer.key("members")
            ReplyEncoder.write(event.members, zone: event.zone, to: &writer)
        }
        if let settings = event.settings {
            writer.key("settings")
            ReplyEncoder.write(settings, to: &writer)
        }
        if let change = event.ruleChange {
            writer.key("rule")
            write(change, to: &writer)
        }
        if let minutes = event.minutesBefore {
            writer.key("minutes_before")
            writer.integer(minutes)
        }
        if event.kind == .bookingReminder {
            writer.key("late")
            writer.bool(event.late)
        }
        if let link = event.calendarLink {
            writer.key("calendar_link")
            writer.string(link.rawValue)
        }
        if let busy = event.busy {
            // The stretch only: what the calendar's event says stays in the calendar.
            writer.key("busy")
            writer.beginObject()
            ReplyEncoder.write(busy, to: &writer)
            writer.endObject()
        }
        writer.endObject()
        return writer.bytes
    }

    /// An event line: `{"event":<body>}` and a newline. Every reply line has `ok` (after `id`); an event line has
    /// the one key `event` and no `ok`, which is how a client tells them apart (`isEventLine`).
    public static func line(body: [UInt8]) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(body.count + linePrefix.count + 2)
        line.append(contentsOf: linePrefix)
        line.append(contentsOf: body)
        line.append(UInt8(ascii: "}"))
        line.append(UInt8(ascii: "\n"))
        return line
    }

    /// The last line a subscriber that fell behind gets before slotd closes its connection: it resumes with
    /// `from_seq` = `resume_from` (the last event it was sent) on a new connection.
    public static func laggedLine(resumeFrom seq: UInt64) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("type")
        writer.string(laggedType)
        writer.key("resume_from")
        writer.integer(seq)
        writer.endObject()
        return line(body: writer.bytes)
    }

    private static let linePrefix = Array(#"{"event":"#.utf8)

    /// Whether a line slotd sent is an event line rather than a reply: slotd writes every event line starting with
    /// exactly `{"event":` and every reply starting with `{"id":`, so the first bytes decide.
    public static func isEventLine(_ line: some Collection<UInt8>) -> Bool {
        line.starts(with: linePrefix)
    }

    /// A rule change as the op that makes it is written: the op's name and its fields (an added block with the
    /// id it was given).
    static func write(_ change: RuleChange, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("op")
        switch change {
        case .weeklyHours(let hours):
            writer.string("set_weekly_hours")
            writer.key("weekly_hours")
            if let hours {
                writer.beginObject()
                for (index, day) in hours.days.enumerated() where !day.isEmpty {
                    writer.key(RulesReply.dayNames[index])
                    RulesReply.write(day, to: &writer)
                }
                writer.endObject()
            } else {
                writer.null()
            }
        case .override(let date, nil):
            writer.string("clear_override")
            writer.key("date")
            writer.string(date.description)
        case .override(let date, let override?):
            writer.string("set_override")
            writer.key("date")
            writer.string(date.description)
            RulesReply.write(override, to: &writer)
        case .addBlock(let block):
            writer.string("add_block")
            writer.key("block")
            RulesReply.write(block, to: &writer)
        case .removeBlock(let id):
            writer.string("remove_block")
            writer.key("block")
            writer.integer(id)
        case .limits(let notice, let perDay):
            writer.string("set_limits")
            writer.key("min_notice_minutes")
            writer.integer(notice)
            writer.key("max_bookings_per_day")
            if let perDay { writer.integer(perDay) } else { writer.null() }
        }
        writer.endObject()
    }
}
