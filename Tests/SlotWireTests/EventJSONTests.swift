import Foundation
import SlotDomain
import Testing

@testable import SlotWire

/// Every event type as subscribers and webhooks get it, byte for byte (docs/PROTOCOL.md, "Events and
/// subscriptions"). The booking's day is the one Berlin's clocks go forward, so `start_local` and `end_local`
/// carry different offsets.
@Suite struct EventJSONTests {
    static func at(_ text: String) -> Instant { RFC3339.parse(text)!.instant }

    static let berlin = TimeZones.zone("Europe/Berlin")
    static let smith = ResourceID("dr-smith")!
    static let acme = TenantID("acme")!
    static let roomA = ResourceID("room-a")!.inTenant(acme)
    static let roomB = ResourceID("room-b")!.inTenant(acme)
    /// 01:30 +01:00 to 03:30 +02:00: an hour across the spring change.
    static let range = TimeRange(start: at("2027-03-28T00:30:00Z"), end: at("2027-03-28T01:30:00Z"))
    static let now = at("2027-03-27T12:00:00Z")

    static func booking(
        _ state: BookingState, on resource: ResourceID = smith, sequence: UInt64 = 1, expiresAt: Instant? = nil,
        group: GroupID? = nil
    ) -> BookingSummary {
        BookingSummary(
            id: BookingID(resource: resource, sequence: sequence), range: range, customer: "ana", state: state,
            expiresAt: expiresAt, group: group)
    }

    static func event(_ kind: ChangeEvent.Kind, _ booking: BookingSummary, previous: ChangeEvent.Previous? = nil)
        -> ChangeEvent
    {
        ChangeEvent(kind: kind, at: now, resource: smith, zone: berlin, booking: booking, previous: previous)
    }

    /// `"booking":{…}` for `booking(state)` without expiry or group, in Berlin.
    static func bookingJSON(_ state: String, id: String = "dr-smith/1", resource: String = "dr-smith") -> String {
        #"{"id":"\#(id)","resource":"\#(resource)","start":"2027-03-28T00:30:00Z","end":"2027-03-28T01:30:00Z","customer":"ana","state":"\#(state)","start_local":"2027-03-28T01:30:00+01:00","end_local":"2027-03-28T03:30:00+02:00"}"#
    }

    static let head = #"{"seq":7,"type":"#
    static let smithAt = #","at":"2027-03-27T12:00:00Z","resource":"dr-smith""#

    static let bookingCases: [(ChangeEvent, String)] = [
        (
            event(.bookingHeld, booking(.pendingConfirmation, expiresAt: at("2027-03-27T12:05:00Z"))),
            head + #""booking.held""# + smithAt
                + #","booking":{"id":"dr-smith/1","resource":"dr-smith","start":"2027-03-28T00:30:00Z","end":"2027-03-28T01:30:00Z","customer":"ana","state":"pending_confirmation","expires_at":"2027-03-27T12:05:00Z","start_local":"2027-03-28T01:30:00+01:00","end_local":"2027-03-28T03:30:00+02:00","expires_at_local":"2027-03-27T13:05:00+01:00"}}"#
        ),
        (
            event(.bookingConfirmed, booking(.confirmed), previous: .init(range: range, state: .pendingConfirmation)),
            head + #""booking.confirmed""# + smithAt + #","booking":"# + bookingJSON("confirmed")
                + #","previous":{"start":"2027-03-28T00:30:00Z","end":"2027-03-28T01:30:00Z","state":"pending_confirmation"}}"#
        ),
        (
            event(.bookingCanceled, booking(.canceled), previous: .init(range: range, state: .confirmed)),
            head + #""booking.canceled""# + smithAt + #","booking":"# + bookingJSON("canceled")
                + #","previous":{"start":"2027-03-28T00:30:00Z","end":"2027-03-28T01:30:00Z","state":"confirmed"}}"#
        ),
        (
            event(
                .bookingRescheduled, booking(.rescheduled),
                previous: .init(
                    range: TimeRange(start: at("2027-03-27T09:00:00Z"), end: at("2027-03-27T10:00:00Z")),
                    state: .confirmed)),
            head + #""booking.rescheduled""# + smithAt + #","booking":"# + bookingJSON("rescheduled")
                + #","previous":{"start":"2027-03-27T09:00:00Z","end":"2027-03-27T10:00:00Z","state":"confirmed"}}"#
        ),
        (
            event(.bookingExpired, booking(.expired), previous: .init(range: range, state: .pendingConfirmation)),
            head + #""booking.expired""# + smithAt + #","booking":"# + bookingJSON("expired")
                + #","previous":{"start":"2027-03-28T00:30:00Z","end":"2027-03-28T01:30:00Z","state":"pending_confirmation"}}"#
        ),
        (
            event(.bookingCompleted, booking(.completed), previous: .init(range: range, state: .confirmed)),
            head + #""booking.completed""# + smithAt + #","booking":"# + bookingJSON("completed")
                + #","previous":{"start":"2027-03-28T00:30:00Z","end":"2027-03-28T01:30:00Z","state":"confirmed"}}"#
        ),
        (
            event(.bookingNoShow, booking(.noShow), previous: .init(range: range, state: .confirmed)),
            head + #""booking.no_show""# + smithAt + #","booking":"# + bookingJSON("no_show")
                + #","previous":{"start":"2027-03-28T00:30:00Z","end":"2027-03-28T01:30:00Z","state":"confirmed"}}"#
        ),
        (
            ChangeEvent(
                kind: .waitlistPromoted, at: now, resource: smith, zone: berlin,
                booking: booking(.pendingConfirmation, sequence: 4, expiresAt: at("2027-03-27T12:05:00Z")),
                waitlistEntry: WaitlistEntryID(resource: smith, number: 2)),
            head + #""waitlist.promoted""# + smithAt
                + #","booking":{"id":"dr-smith/4","resource":"dr-smith","start":"2027-03-28T00:30:00Z","end":"2027-03-28T01:30:00Z","customer":"ana","state":"pending_confirmation","expires_at":"2027-03-27T12:05:00Z","start_local":"2027-03-28T01:30:00+01:00","end_local":"2027-03-28T03:30:00+02:00","expires_at_local":"2027-03-27T13:05:00+01:00"},"waitlist_entry":"dr-smith/w2"}"#
        ),
        (
            ChangeEvent(
                kind: .bookingReminder, at: at("2027-03-27T00:30:00Z"), resource: smith, zone: berlin,
                booking: booking(.confirmed), minutesBefore: 1_440),
            head + #""booking.reminder","at":"2027-03-27T00:30:00Z","resource":"dr-smith","booking":"#
                + bookingJSON("confirmed") + #","minutes_before":1440,"late":false}"#
        ),
        (
            ChangeEvent(
                kind: .bookingReminder, at: at("2027-03-28T00:10:00Z"), resource: smith, zone: berlin,
                booking: booking(.confirmed), minutesBefore: 60, late: true),
            head + #""booking.reminder","at":"2027-03-28T00:10:00Z","resource":"dr-smith","booking":"#
                + bookingJSON("confirmed") + #","minutes_before":60,"late":true}"#
        ),
        (
            {
                var conflict = event(.calendarConflict, booking(.confirmed))
                conflict.calendarLink = CalendarLinkID("cal_0123456789abcdef")
                conflict.busy = TimeRange(start: at("2027-03-28T00:00:00Z"), end: at("2027-03-28T01:00:00Z"))
                return conflict
            }(),
            head + #""calendar.conflict""# + smithAt + #","booking":"# + bookingJSON("confirmed")
                + #","calendar_link":"cal_0123456789abcdef","busy":{"start":"2027-03-28T00:00:00Z","end":"2027-03-28T01:00:00Z"}}"#
        ),
    ]

    @Test(arguments: bookingCases)
    func bookingEvents(event: ChangeEvent, expected: String) {
        #expect(String(decoding: EventJSON.body(of: event, seq: 7), as: UTF8.self) == expected)
    }

    static let group = GroupID(lead: BookingID(resource: roomA, sequence: 3))

    /// A group event names its lead's resource, with the tenant, and lists its members as bookings.
    static let groupCases: [(ChangeEvent.Kind, String)] = [
        (.groupHeld, "pending_confirmation"), (.groupConfirmed, "confirmed"), (.groupCanceled, "canceled"),
        (.groupRescheduled, "rescheduled"),
    ]

    @Test(arguments: groupCases)
    func groupEvents(kind: ChangeEvent.Kind, state: String) throws {
        let bookingState = try #require(BookingState(rawValue: state))
        let members = [
            Self.booking(bookingState, on: Self.roomA, sequence: 3, group: Self.group),
            Self.booking(bookingState, on: Self.roomB, sequence: 9, group: Self.group),
        ]
        let event = ChangeEvent(
            kind: kind, at: Self.now, resource: Self.roomA, zone: Self.berlin, group: Self.group, members: members)
        func member(_ id: String, _ resource: String) -> String {
            #"{"id":"\#(id)","resource":"\#(resource)","start":"2027-03-28T00:30:00Z","end":"2027-03-28T01:30:00Z","customer":"ana","state":"\#(state)","group":"room-a/g3","start_local":"2027-03-28T01:30:00+01:00","end_local":"2027-03-28T03:30:00+02:00"}"#
        }
        let expected =
            Self.head + #""\#(kind.rawValue)","at":"2027-03-27T12:00:00Z","resource":"room-a","tenant":"acme","#
            + #""group":"room-a/g3","members":["# + member("room-a/3", "room-a") + "," + member("room-b/9", "room-b")
            + "]}"
        #expect(String(decoding: EventJSON.body(of: event, seq: 7), as: UTF8.self) == expected)
    }

    @Test func resourceCreatedCarriesItsSettingsAsCreateResourceRepliesWriteThem() {
        let settings = ResourceSettings(
            id: Self.roomA, timeZoneIdentifier: "Europe/Berlin", slotMinutes: 30, capacity: 2, holdTTLSeconds: 600)
        let event = ChangeEvent(
            kind: .resourceCreated, at: Self.now, resource: Self.roomA, zone: Self.berlin, settings: settings)
        #expect(
            String(decoding: EventJSON.body(of: event, seq: 1), as: UTF8.self)
                == #"{"seq":1,"type":"resource.created","at":"2027-03-27T12:00:00Z","resource":"room-a","tenant":"acme","settings":{"id":"room-a","tenant":"acme","tz":"Europe/Berlin","slot_minutes":30,"capacity":2,"buffer_before_minutes":0,"buffer_after_minutes":0,"hold_ttl_seconds":600,"horizon_days":365}}"#
        )
    }

    static func interval(_ start: Int, _ end: Int) -> LocalInterval {
        LocalInterval(startMinute: start, endMinute: end)!
    }

    /// Each rule change as the op that makes it is written.
    static let ruleCases: [(RuleChange, String)] = [
        (
            .weeklyHours(
                WeeklyHours(days: [
                    [interval(540, 720), interval(780, 1_020)], [], [], [], [], [interval(600, 1_440)], [],
                ])
            ),
            #"{"op":"set_weekly_hours","weekly_hours":{"mon":[["09:00","12:00"],["13:00","17:00"]],"sat":[["10:00","24:00"]]}}"#
        ),
        (.weeklyHours(nil), #"{"op":"set_weekly_hours","weekly_hours":null}"#),
        (
            .override(LocalDate(year: 2027, month: 12, day: 24)!, .closed),
            #"{"op":"set_override","date":"2027-12-24","closed":true}"#
        ),
        (
            .override(LocalDate(year: 2027, month: 12, day: 31)!, .hours([interval(600, 840)])),
            #"{"op":"set_override","date":"2027-12-31","hours":[["10:00","14:00"]]}"#
        ),
        (.override(LocalDate(year: 2027, month: 12, day: 24)!, nil), #"{"op":"clear_override","date":"2027-12-24"}"#),
        (
            .addBlock(Block(id: 5, range: range, label: "staff meeting")),
            #"{"op":"add_block","block":{"id":5,"start":"2027-03-28T00:30:00Z","end":"2027-03-28T01:30:00Z","label":"staff meeting"}}"#
        ),
        (.removeBlock(5), #"{"op":"remove_block","block":5}"#),
        (
            .limits(minNoticeMinutes: 120, maxBookingsPerDay: nil),
            #"{"op":"set_limits","min_notice_minutes":120,"max_bookings_per_day":null}"#
        ),
        (
            .limits(minNoticeMinutes: 0, maxBookingsPerDay: 8),
            #"{"op":"set_limits","min_notice_minutes":0,"max_bookings_per_day":8}"#
        ),
    ]

    @Test(arguments: ruleCases)
    func rulesChanged(change: RuleChange, rule: String) {
        let event = ChangeEvent(
            kind: .resourceRulesChanged, at: Self.now, resource: Self.smith, zone: Self.berlin, ruleChange: change)
        #expect(
            String(decoding: EventJSON.body(of: event, seq: 12), as: UTF8.self)
                == #"{"seq":12,"type":"resource.rules_changed","at":"2027-03-27T12:00:00Z","resource":"dr-smith","rule":"#
                + rule + "}")
    }

    @Test func everyKindIsCovered() {
        let covered = Set(Self.bookingCases.map(\.0.kind) + Self.groupCases.map(\.0))
            .union([.resourceCreated, .resourceRulesChanged])
        #expect(covered == Set(ChangeEvent.Kind.allCases))
    }

    @Test func linesWrapTheBodyAndAreToldFromReplies() throws {
        let body = EventJSON.body(of: Self.bookingCases[0].0, seq: 7)
        let line = EventJSON.line(body: body)
        #expect(line == Array(#"{"event":"#.utf8) + body + Array("}\n".utf8))
        let parsed = try JSONValue.parse(bytes: Array(line.dropLast()))
        guard case .object(let members) = parsed else {
            Issue.record("not an object")
            return
        }
        #expect(Array(members.keys) == ["event"])
        #expect(EventJSON.isEventLine(line))
        #expect(
            String(decoding: EventJSON.laggedLine(resumeFrom: 41), as: UTF8.self)
                == #"{"event":{"type":"stream.lagged","resume_from":41}}"# + "\n")
        #expect(EventJSON.isEventLine(EventJSON.laggedLine(resumeFrom: 41)))
        let reply = try #require(ReplyEncoder.success(id: .string("event"), .empty))
        #expect(!EventJSON.isEventLine(reply))
        #expect(!EventJSON.isEventLine(ReplyEncoder.failure(id: .null, WireError(.badJSON, "x"))))
    }

    /// The largest events the domain's limits allow fit in `bodyBytesMax`: a group of the most resources one
    /// request may name, every string at its longest and made of characters JSON escapes to six bytes; a week
    /// of the most intervals a day may hold; a block with the longest label.
    @Test func theLargestEventsFitTheirBound() {
        let limits = DomainLimits.standard
        let tenant = TenantID(String(repeating: "t", count: limits.tenantIDMaxLength))!
        let customer = String(repeating: "\u{1}", count: limits.customerMaxBytes)
        let members = (0..<limits.resourcesPerQueryMax).map { index in
            let name = String(format: "%0\(limits.resourceIDMaxLength)d", index)
            let resource = ResourceID(name)!.inTenant(tenant)
            return BookingSummary(
                id: BookingID(resource: resource, sequence: .max), range: Self.range, customer: customer,
                state: .pendingConfirmation, expiresAt: Self.now,
                group: GroupID(lead: BookingID(resource: resource, sequence: .max)))
        }
        let group = ChangeEvent(
            kind: .groupHeld, at: Self.now, resource: members[0].id.resource, zone: Self.berlin,
            group: members[0].group, members: members)
        let day = (0..<limits.hoursIntervalsPerDayMax).map { Self.interval($0 * 30, $0 * 30 + 15) }
        let week = ChangeEvent(
            kind: .resourceRulesChanged, at: Self.now, resource: members[0].id.resource, zone: Self.berlin,
            ruleChange: .weeklyHours(WeeklyHours(days: Array(repeating: day, count: 7))))
        let block = ChangeEvent(
            kind: .resourceRulesChanged, at: Self.now, resource: members[0].id.resource, zone: Self.berlin,
            ruleChange: .addBlock(
                Block(id: .max, range: Self.range, label: String(repeating: "\u{1}", count: limits.reasonMaxBytes))))
        for event in [group, week, block] {
            let size = EventJSON.body(of: event, seq: .max).count
            #expect(size <= EventJSON.bodyBytesMax, "\(event.kind.rawValue): \(size) bytes")
        }
        #expect(EventJSON.body(of: group, seq: .max).count > EventJSON.bodyBytesMax / 4, "the bound is not loose")
    }
}
