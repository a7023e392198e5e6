import Foundation
import Testing

@testable import SlotDomain

@Suite struct SlotGridTests {
    func instant(_ text: String) -> Instant {
        let formatter = ISO8601DateFormatter()
        return Instant(secondsSinceEpoch: Int64(formatter.date(from: text)!.timeIntervalSince1970))
    }

    @Test func boundariesFollowLocalTimeAcrossDST() {
        let grid = SlotGrid(timeZoneIdentifier: "Europe/Berlin", slotMinutes: 60)
        // Winter: 10:00 local is 09:00Z; summer: 10:00 local is 08:00Z. Both are boundaries, half hours are not.
        #expect(grid.isBoundary(instant("2027-01-11T09:00:00Z")))
        #expect(grid.isBoundary(instant("2027-07-12T08:00:00Z")))
        #expect(!grid.isBoundary(instant("2027-07-12T08:30:00Z")))
    }

    @Test func halfHourZonesShiftTheHourlyGrid() {
        let kolkata = SlotGrid(timeZoneIdentifier: "Asia/Kolkata", slotMinutes: 60)
        #expect(kolkata.isBoundary(instant("2027-01-11T04:30:00Z")))  // 10:00 IST
        #expect(!kolkata.isBoundary(instant("2027-01-11T04:00:00Z")))
        let kathmandu = SlotGrid(timeZoneIdentifier: "Asia/Kathmandu", slotMinutes: 30)
        #expect(kathmandu.isBoundary(instant("2027-01-11T04:15:00Z")))  // 10:00 NPT (+05:45)
    }

    @Test func lordHoweHalfHourDSTMovesHourlyBoundaries() {
        // Lord Howe Island shifts by 30 minutes: +10:30 in winter, +11:00 in summer.
        let grid = SlotGrid(timeZoneIdentifier: "Australia/Lord_Howe", slotMinutes: 60)
        #expect(grid.isBoundary(instant("2027-07-12T23:30:00Z")))  // 10:00 at +10:30
        #expect(grid.isBoundary(instant("2027-01-11T23:00:00Z")))  // 10:00 at +11:00
    }

    @Test func unknownZonesAndAbbreviationsAreRefused() {
        #expect(TimeZones.isKnown("America/New_York"))
        #expect(TimeZones.isKnown("Asia/Kolkata"))  // missing from Linux's knownTimeZoneIdentifiers
        #expect(TimeZones.isKnown("America/Argentina/Buenos_Aires"))
        #expect(TimeZones.isKnown("UTC"))
        #expect(!TimeZones.isKnown("EST"))
        #expect(!TimeZones.isKnown("asia/kolkata"))
        #expect(!TimeZones.isKnown("../etc/passwd"))
        #expect(!TimeZones.isKnown("Mars/Olympus"))
        #expect(!TimeZones.isKnown("GMT+5"))
        #expect(!TimeZones.isKnown(""))
    }

    @Test func settingsValidationNamesTheField() {
        let id = ResourceID("r")!
        #expect(
            ResourceSettings(id: id, timeZoneIdentifier: "UTC", slotMinutes: 7).validate()?.details["field"]
                == "slot_minutes")
        #expect(
            ResourceSettings(id: id, timeZoneIdentifier: "UTC", capacity: 0).validate()?.details["field"] == "capacity")
        #expect(
            ResourceSettings(id: id, timeZoneIdentifier: "UTC", bufferBeforeMinutes: 10).validate()?.details["field"]
                == "buffer_before_minutes")
        #expect(ResourceSettings(id: id, timeZoneIdentifier: "Nowhere").validate()?.code == .unknownTimeZone)
        #expect(ResourceSettings(id: id, timeZoneIdentifier: "UTC").validate() == nil)
    }

    @Test func identifiers() {
        #expect(ResourceID("dr.smith:room-2_a") != nil)
        #expect(ResourceID("") == nil)
        #expect(ResourceID("a/b") == nil)
        #expect(ResourceID(String(repeating: "a", count: 65)) == nil)
        #expect(BookingID(parsing: "dr-smith/17") == BookingID(resource: ResourceID("dr-smith")!, sequence: 17))
        #expect(BookingID(parsing: "dr-smith/0") == nil)
        #expect(BookingID(parsing: "dr-smith") == nil)
        #expect(BookingID(parsing: "/3") == nil)
    }
}

@Suite struct IdempotencyTableTests {
    let t0 = Instant(secondsSinceEpoch: 1_000)
    let resource = ResourceID("r")!
    let summary = BookingSummary(
        id: BookingID(resource: ResourceID("r")!, sequence: 1),
        range: TimeRange(start: Instant(secondsSinceEpoch: 0), end: Instant(secondsSinceEpoch: 900)), customer: "c",
        state: .confirmed, expiresAt: nil)

    @Test func sameKeySameRequestReplaysDifferentRequestConflicts() {
        var table = IdempotencyTable(retentionSeconds: 100)
        let stamp = IdempotencyStamp(key: "k", fingerprint: "hold|a")
        #expect(table.begin(stamp, resource: resource, now: t0) == .proceed)
        table.finish(stamp, reply: .booking(summary), at: t0)
        #expect(table.begin(stamp, resource: resource, now: t0.adding(seconds: 99)) == .replay(.booking(summary)))
        #expect(
            table.begin(IdempotencyStamp(key: "k", fingerprint: "hold|b"), resource: resource, now: t0) == .conflict)
        // After retention the key is free again.
        #expect(
            table.begin(
                IdempotencyStamp(key: "k", fingerprint: "hold|b"), resource: resource, now: t0.adding(seconds: 100))
                == .proceed)
    }

    @Test func abandonedKeysAreFreeAndPruningForgets() {
        var table = IdempotencyTable(retentionSeconds: 10)
        let stamp = IdempotencyStamp(key: "k", fingerprint: "x")
        #expect(table.begin(stamp, resource: resource, now: t0) == .proceed)
        #expect(table.begin(IdempotencyStamp(key: "k", fingerprint: "y"), resource: resource, now: t0) == .conflict)
        table.abandon(stamp)
        #expect(table.count == 0)
        table.finish(stamp, reply: .booking(summary), at: t0)
        table.prune(now: t0.adding(seconds: 9))
        #expect(table.count == 1)
        table.prune(now: t0.adding(seconds: 10))
        #expect(table.count == 0)
    }
}
