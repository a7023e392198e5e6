import SlotDomain
import Testing

@testable import SlotWire

/// `fold` is checked on every request, not only when a wall time turns out ambiguous.
@Suite struct FoldValidationTests {
    let decoder = RequestDecoder()

    func outcome(_ fields: String) -> (code: String, field: String?)? {
        switch decoder.decode(Array("{\(fields)}".utf8)) {
        case .success: nil
        case .failure(let failure): (failure.error.code, failure.error.details["field"])
        }
    }

    static let summerLocal =
        #""op":"hold","resource":"r","customer":"c","tz":"Europe/Berlin","start_local":"2027-07-02T10:00","end_local":"2027-07-02T11:00""#
    static let utc =
        #""op":"hold","resource":"r","customer":"c","start":"2027-07-02T08:00:00Z","end":"2027-07-02T09:00:00Z""#

    @Test func aFoldOtherThanEarlierOrLaterIsRefusedOnAnyTime() {
        #expect(outcome(Self.summerLocal + #","fold":"sideways""#)! == ("invalid_request", "fold"))
        #expect(outcome(Self.summerLocal + #","fold":"Earlier""#)! == ("invalid_request", "fold"))
        #expect(outcome(Self.summerLocal + #","fold":1"#)! == ("invalid_request", "fold"))
        #expect(outcome(Self.utc + #","fold":"sideways""#)! == ("invalid_request", "fold"))
    }

    @Test func aFoldWithoutAWallTimeIsRefused() {
        #expect(outcome(Self.utc + #","fold":"earlier""#)! == ("invalid_request", "fold"))
        #expect(outcome(Self.utc + #","tz":"Europe/Berlin","fold":"later""#)! == ("invalid_request", "fold"))
        let list = #""op":"list_bookings","resource":"r","from":"2027-07-01T00:00:00Z","to":"2027-07-02T00:00:00Z""#
        #expect(outcome(list + #","fold":"later""#)! == ("invalid_request", "fold"))
        #expect(outcome(#""op":"cancel_series","series":"r/1","fold":"earlier""#)! == ("invalid_request", "fold"))
    }

    @Test func aValidFoldBesideAnUnambiguousWallTimeIsHarmless() {
        #expect(outcome(Self.summerLocal + #","fold":"earlier""#) == nil)
        #expect(outcome(Self.summerLocal + #","fold":"later""#) == nil)
        #expect(outcome(Self.summerLocal + #","fold":null"#) == nil)
        #expect(outcome(Self.utc + #","fold":null"#) == nil)
        let list =
            #""op":"list_bookings","resource":"r","tz":"Europe/Berlin","from_local":"2027-07-01T00:00","to":"2027-07-02T00:00:00Z","fold":"later""#
        #expect(outcome(list) == nil)
    }
}
