import Foundation
import SlotDomain
import Testing

@testable import SlotWire

@Suite struct RFC3339Tests {
    @Test func parsesZuluAndOffsets() {
        #expect(RFC3339.parse("2026-11-23T10:00:00Z")?.instant.secondsSinceEpoch == 1_795_428_000)
        #expect(RFC3339.parse("2026-11-23T11:00:00+01:00")?.instant.secondsSinceEpoch == 1_795_428_000)
        #expect(RFC3339.parse("2026-11-23t04:15:00-05:45")?.instant.secondsSinceEpoch == 1_795_428_000)
        #expect(RFC3339.parse("2026-11-23T10:00:00.000Z")?.hasFraction == false)
        #expect(RFC3339.parse("2026-11-23T10:00:00.5Z")?.hasFraction == true)
    }

    @Test(arguments: [
        "", "2026-11-23", "2026-11-23T10:00:00", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-11-31T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T10:60:00Z", "2026-11-23T10:00:60Z",
        "2026-11-23 10:00:00Z", "2026-11-23T10:00:00+24:00", "2026-11-23T10:00:00+0100", "2026-11-23T10:00:00.Z",
        "2026-11-23T10:00:00Zjunk", "２０２６-11-23T10:00:00Z", "10000-01-01T00:00:00Z",
    ])
    func refusesMalformed(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func leapDayParses() {
        #expect(RFC3339.parse("2028-02-29T00:00:00Z") != nil)
    }

    /// Foundation's ISO 8601 formatter is the oracle for random instants over 1970–2100.
    @Test func roundTripsAgainstFoundation() {
        var generator = SystemRandomNumberGenerator()
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        for _ in 0..<2_000 {
            let seconds = Int64.random(in: 0..<4_102_444_800, using: &generator)
            let text = RFC3339.format(Instant(secondsSinceEpoch: seconds))
            #expect(text == formatter.string(from: Date(timeIntervalSince1970: Double(seconds))))
            #expect(RFC3339.parse(text)?.instant.secondsSinceEpoch == seconds)
        }
    }
}

/// `*_local` replies for any instant in any zone: total, and in the accepted form whenever the wall time has a
/// four-digit year.
@Suite struct LocalTimeTextEdgeTests {
    @Test(arguments: ["UTC", "Pacific/Kiritimati", "Etc/GMT+12", "Asia/Manila", "America/New_York", "Asia/Tokyo"])
    func formatsEveryInstantNearTheEnds(_ identifier: String) throws {
        let zone = try #require(TimeZone(identifier: identifier))
        let ends: [Int64] = [-62_135_596_800, 253_402_300_800]
        for end in ends {
            for seconds in stride(from: end - 2 * 86_400, through: end + 2 * 86_400, by: 3_600) {
                let instant = Instant(secondsSinceEpoch: seconds)
                let text = LocalTimeText.format(instant, in: zone)
                if let local = zone.localDateTime(at: instant) {
                    #expect(text.hasPrefix(local.description), "\(identifier) \(seconds): \(text)")
                    #expect(LocalTimeText.parse(String(text.prefix(19))) == local)
                } else {
                    #expect(text.hasPrefix("0000-") || text.hasPrefix("+10000-"), "\(identifier) \(seconds): \(text)")
                }
            }
        }
    }
}
