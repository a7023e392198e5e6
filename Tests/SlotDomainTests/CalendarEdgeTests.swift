import Foundation
import Testing

@testable import SlotDomain

/// Instants near either end of years 0001–9999, read as wall times in zones east and west of UTC: every
/// conversion answers (nil, a refusal, or expanded text) instead of trapping.
@Suite struct CalendarEdgeTests {
    static let firstSecond = Instant(secondsSinceEpoch: -62_135_596_800)  // 0001-01-01T00:00:00Z
    static let lastSecond = Instant(secondsSinceEpoch: 253_402_300_799)  // 9999-12-31T23:59:59Z
    static let newYork = TimeZone(identifier: "America/New_York")!
    static let tokyo = TimeZone(identifier: "Asia/Tokyo")!

    @Test func aWallTimeOutsideTheFourDigitYearsIsNil() {
        #expect(Self.newYork.localDateTime(at: Self.firstSecond) == nil)
        #expect(Self.tokyo.localDateTime(at: Self.lastSecond) == nil)
        #expect(Self.tokyo.localDateTime(at: Self.firstSecond)?.year == 1)
        #expect(Self.newYork.localDateTime(at: Self.lastSecond)?.year == 9_999)
    }

    @Test func datesAreWrittenWithFourDigitYearsOrAnExpandedYear() {
        #expect(LocalDate(year: 987, month: 1, day: 1)?.description == "0987-01-01")
        #expect(LocalDate(year: 1, month: 1, day: 1)?.description == "0001-01-01")
        let dayBeforeYearOne = LocalDate(days: CivilCalendar.days(year: 1, month: 1, day: 1) - 1)
        #expect(dayBeforeYearOne.description == "0000-12-31")
        #expect(!dayBeforeYearOne.hasFourDigitYear)
        let dayAfter9999 = LocalDate(days: CivilCalendar.days(year: 9_999, month: 12, day: 31) + 1)
        #expect(dayAfter9999.description == "+10000-01-01")
        #expect(!dayAfter9999.hasFourDigitYear)
        #expect(LocalDate(days: CivilCalendar.days(year: -1, month: 6, day: 1)).description == "-0001-06-01")
        #expect(CivilCalendar.yearText(42) == "0042")
    }

    func occurrences(_ start: Instant, minutes: Int64 = 60, in zone: TimeZone, count: Int = 2) -> Result<
        [Occurrence], Rejection
    > {
        Recurrence(frequency: .daily, count: count, until: nil)
            .occurrences(of: TimeRange(start: start, end: start.adding(seconds: minutes * 60)), in: zone, maximum: 400)
    }

    @Test func aSeriesStartingBeforeYearOneInItsZoneIsInThePast() throws {
        let rejection = try #require(occurrences(Self.firstSecond, in: Self.newYork).failure)
        #expect(rejection.code == .inPast)
        #expect(rejection.details["field"] == "start")
    }

    @Test func aSeriesEndingAfter9999InItsZoneIsBeyondTheHorizon() throws {
        let start = Self.lastSecond.adding(seconds: -2 * 3_600 + 1)  // 9999-12-31T22:00:00Z, 07:00 next day in Tokyo
        let rejection = try #require(occurrences(start, in: Self.tokyo).failure)
        #expect(rejection.code == .beyondHorizon)
        #expect(rejection.details["field"] == "end")
        // The end alone past 9999 (a first occurrence from 2027 to the last second) is refused the same way.
        let long = TimeRange(start: Instant(secondsSinceEpoch: 1_799_049_600), end: Self.lastSecond)
        let rule = Recurrence(frequency: .daily, count: 1, until: nil)
        #expect(rule.occurrences(of: long, in: Self.tokyo, maximum: 400).failure?.code == .beyondHorizon)
    }

    @Test func anOccurrencePast9999IsRefusedAloneAsBeyondTheHorizon() throws {
        // 9999-12-30T10:00 in New York: the first occurrence exists, the second would be on 9999-12-31 and the
        // third on 10000-01-01.
        let start = Self.lastSecond.adding(seconds: 1 - 86_400 - 9 * 3_600)
        let occurrences = try occurrences(start, in: Self.newYork, count: 3).get()
        #expect(occurrences.count == 3)
        #expect(occurrences[0].range.failure == nil)
        #expect(occurrences[1].range.failure == nil)
        #expect(occurrences[2].range.failure?.code == .beyondHorizon)
        #expect(occurrences[2].date.description == "+10000-01-01")
    }
}

/// Zones at the ends of the offset range, and with local mean time far from UTC before their first rule (Manila
/// kept the Americas' date until 1844), read at every hour within two days of either end of 0001–9999: no trap,
/// and every answer is a refusal or occurrences whose dates have four-digit years.
@Suite struct CalendarEdgeSweepTests {
    static let zones = [
        "UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Etc/GMT-14", "Etc/GMT+12", "Asia/Manila", "America/Sitka",
        "America/New_York", "Asia/Tokyo", "Europe/Berlin",
    ]

    static var instants: [Instant] {
        let ends = [
            CalendarEdgeTests.firstSecond.secondsSinceEpoch, CalendarEdgeTests.lastSecond.secondsSinceEpoch + 1,
        ]
        return ends.flatMap { end in stride(from: end - 2 * 86_400, through: end + 2 * 86_400, by: 3_600) }
            .map { Instant(secondsSinceEpoch: $0) }
    }

    @Test(arguments: zones)
    func everyConversionAnswers(_ identifier: String) throws {
        let zone = try #require(TimeZone(identifier: identifier))
        let rule = Recurrence(frequency: .daily, count: 3, until: nil)
        for instant in Self.instants {
            if let local = zone.localDateTime(at: instant) {
                #expect(CivilCalendar.writtenYears.contains(local.year))
            }
            let range = TimeRange(start: instant, end: instant.adding(seconds: 3_600))
            switch rule.occurrences(of: range, in: zone, maximum: 400) {
            case .failure(let rejection):
                #expect([.inPast, .beyondHorizon].contains(rejection.code), "\(identifier) \(instant)")
            case .success(let occurrences):
                for occurrence in occurrences {
                    if case .success(let booked) = occurrence.range {
                        #expect(occurrence.date.hasFourDigitYear, "\(identifier) \(instant)")
                        #expect(booked.end > booked.start)
                    }
                }
            }
        }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
