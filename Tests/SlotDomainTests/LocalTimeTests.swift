import Foundation
import Testing

@testable import SlotDomain

/// Wall-time resolution around every DST transition from 2024 to 2030 in zones chosen for their quirks.
/// Foundation's own zone data is the oracle: every quarter-hour instant in a day-wide window whose wall time
/// matches, found by brute force.
@Suite struct LocalTimeTests {
    static let zones = [
        "Europe/Berlin", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata",
        "Asia/Kathmandu", "Pacific/Chatham", "America/St_Johns", "Africa/Casablanca", "America/Mexico_City",
        "Asia/Tehran", "America/Sao_Paulo", "Pacific/Auckland", "Europe/London",
    ]

    static func transitions(_ zone: TimeZone) -> [Date] {
        var result: [Date] = []
        var cursor = Date(timeIntervalSince1970: 1_704_067_200)  // 2024-01-01
        let end = Date(timeIntervalSince1970: 1_924_992_000)  // 2031-01-01
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < end {
            result.append(next)
            cursor = next
        }
        return result
    }

    @Test(arguments: zones)
    func resolutionMatchesBruteForceAroundEveryTransition(_ identifier: String) {
        let zone = TimeZone(identifier: identifier)!
        let transitions = Self.transitions(zone)
        for transition in transitions {
            let instant = Instant(secondsSinceEpoch: Int64(transition.timeIntervalSince1970))
            let center = instant.secondsSinceEpoch + zone.offsetSeconds(at: instant)
            for step in -8...8 {
                let wall = center + Int64(step) * 900
                let days = wall >= 0 ? wall / 86_400 : (wall - 86_399) / 86_400
                let (year, month, day) = CivilCalendar.date(fromDays: days)
                let secondOfDay = Int(wall - days * 86_400)
                let local = LocalDateTime(
                    year: year, month: month, day: day, hour: secondOfDay / 3_600, minute: secondOfDay / 60 % 60)!
                let oracle = stride(from: wall - 15 * 3_600, through: wall + 15 * 3_600, by: 900).filter { candidate in
                    candidate + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(candidate)))) == wall
                }
                let expected: LocalTimeResolution =
                    switch oracle.count {
                    case 0: .nonexistent
                    case 1: .exact(Instant(secondsSinceEpoch: oracle[0]))
                    default:
                        .ambiguous(
                            earlier: Instant(secondsSinceEpoch: oracle.first!),
                            later: Instant(secondsSinceEpoch: oracle.last!))
                    }
                #expect(zone.resolve(local) == expected, "\(identifier) \(local)")
                if case .exact(let resolved) = expected {
                    #expect(zone.localDateTime(at: resolved) == local, "\(identifier) round trip \(local)")
                }
            }
        }
    }

    @Test func knownCases() throws {
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        // 2026-03-29 02:30 does not exist in Berlin; 2026-10-25 02:30 happens twice.
        #expect(berlin.resolve(LocalDateTime(year: 2026, month: 3, day: 29, hour: 2, minute: 30)!) == .nonexistent)
        #expect(
            berlin.resolve(LocalDateTime(year: 2026, month: 10, day: 25, hour: 2, minute: 30)!)
                == .ambiguous(
                    earlier: Instant(secondsSinceEpoch: 1_792_888_200), later: Instant(secondsSinceEpoch: 1_792_891_800)
                ))
        #expect(
            berlin.resolve(LocalDateTime(year: 2026, month: 7, day: 1, hour: 13, minute: 0)!)
                == .exact(Instant(secondsSinceEpoch: 1_782_903_600)))
        // Sydney falls back in April: southern-hemisphere DST.
        let sydney = TimeZone(identifier: "Australia/Sydney")!
        guard case .ambiguous = sydney.resolve(LocalDateTime(year: 2026, month: 4, day: 5, hour: 2, minute: 30)!) else {
            Issue.record("Sydney 2026-04-05 02:30 should happen twice")
            return
        }
        #expect(CivilCalendar.weekday(fromDays: 0) == 3, "1970-01-01 was a Thursday")
        #expect(LocalDateTime(year: 2026, month: 2, day: 29, hour: 0, minute: 0) == nil)
    }

    @Test func theChosenZonesReallyHaveTransitions() {
        for identifier in ["Europe/Berlin", "Australia/Lord_Howe", "Pacific/Chatham", "Africa/Casablanca"] {
            #expect(Self.transitions(TimeZone(identifier: identifier)!).count >= 10, "\(identifier)")
        }
    }
}
