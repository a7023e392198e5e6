import Testing

@testable import SlotDomain

/// `slot_unavailable` says whether the time itself is full (`capacity`) or only buffers stand in the way
/// (`buffer`), as the occupancy layers that found the conflict see it.
@Suite struct ConflictReasonTests {
    static let monday = Instant(secondsSinceEpoch: 1_799_020_800)  // 2027-01-04T00:00Z

    static func at(_ hour: Int, _ minute: Int, minutes: Int) -> TimeRange {
        let start = monday.adding(seconds: Int64(hour * 3_600 + minute * 60))
        return TimeRange(start: start, end: start.adding(seconds: Int64(minutes * 60)))
    }

    static func schedule(capacity: Int, bufferAfterMinutes: Int, booked: [TimeRange]) -> ResourceSchedule {
        var schedule = ResourceSchedule(
            settings: ResourceSettings(
                id: ResourceID("r")!, timeZoneIdentifier: "UTC", capacity: capacity,
                bufferAfterMinutes: bufferAfterMinutes),
            createdAt: monday)
        for range in booked {
            guard
                case .apply(let event) = schedule.decideHold(
                    HoldCommand(range: range, customer: "c", confirm: true), now: monday)
            else { preconditionFailure("the setup booking \(range) was refused") }
            schedule.apply(event)
        }
        return schedule
    }

    static func reason(_ schedule: ResourceSchedule, _ range: TimeRange, excluding: TimeRange? = nil) -> String? {
        let rejection = schedule.checkPlacement(range, now: monday, excluding: excluding)
        #expect(rejection == nil || rejection?.code == .slotUnavailable)
        return rejection?.details["reason"]
    }

    @Test func capacityOneWithAnAfterBuffer() {
        // A booking 10:00–10:30 with a 15-minute after-buffer: padded 10:00–10:45.
        let schedule = Self.schedule(capacity: 1, bufferAfterMinutes: 15, booked: [Self.at(10, 0, minutes: 30)])
        #expect(Self.reason(schedule, Self.at(10, 15, minutes: 15)) == "capacity")
        #expect(Self.reason(schedule, Self.at(9, 45, minutes: 30)) == "capacity", "overlaps the booking itself")
        #expect(Self.reason(schedule, Self.at(10, 30, minutes: 15)) == "buffer", "inside its after-buffer")
        #expect(Self.reason(schedule, Self.at(9, 45, minutes: 15)) == "buffer", "its own buffer covers 10:00")
        #expect(Self.reason(schedule, Self.at(10, 45, minutes: 15)) == nil)
        let refusal = schedule.checkPlacement(Self.at(10, 30, minutes: 15), now: Self.monday)
        #expect(refusal?.instantDetails["conflict_start"] == Self.at(10, 30, minutes: 15).start)
        #expect(refusal?.instantDetails["conflict_end"] == Self.at(10, 45, minutes: 0).start)
    }

    @Test func withoutBuffersEveryConflictIsCapacity() {
        let schedule = Self.schedule(
            capacity: 2, bufferAfterMinutes: 0, booked: [Self.at(10, 0, minutes: 30), Self.at(10, 15, minutes: 30)])
        #expect(Self.reason(schedule, Self.at(10, 15, minutes: 15)) == "capacity")
        #expect(Self.reason(schedule, Self.at(10, 0, minutes: 15)) == nil, "one of two places is free")
    }

    @Test func capacityTwoFullOnlyInBuffers() {
        // Two bookings 10:00–10:30, each with a 15-minute after-buffer: 10:30–10:45 is full of buffers only.
        let booked = [Self.at(10, 0, minutes: 30), Self.at(10, 0, minutes: 30)]
        let schedule = Self.schedule(capacity: 2, bufferAfterMinutes: 15, booked: booked)
        #expect(Self.reason(schedule, Self.at(10, 0, minutes: 15)) == "capacity")
        #expect(Self.reason(schedule, Self.at(10, 30, minutes: 15)) == "buffer")
        // A booking moving within its own time does not count against itself.
        #expect(Self.reason(schedule, Self.at(10, 15, minutes: 15), excluding: booked[0]) == nil)
    }
}
