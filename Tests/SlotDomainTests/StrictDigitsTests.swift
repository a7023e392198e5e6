import Testing

@testable import SlotDomain

/// Ids and numbers in texts have exactly one spelling: no sign, no leading zero, no space.
@Suite struct StrictDigitsTests {
    @Test func canonicalNumbersOnly() {
        #expect(DecimalDigits.canonical("17".utf8) == 17)
        #expect(DecimalDigits.canonical("0".utf8) == 0)
        #expect(DecimalDigits.canonical("18446744073709551615".utf8) == UInt64.max)
        for text in ["", "+1", "-1", "01", "00", " 1", "1 ", "1e3", "0x1", "18446744073709551616", "١"] {
            #expect(DecimalDigits.canonical(text.utf8) == nil, "\(text)")
        }
    }

    @Test func fixedWidthNumbersOnly() {
        #expect(DecimalDigits.fixedWidth("0987".utf8, count: 4) == 987)
        #expect(DecimalDigits.fixedWidth("09".utf8, count: 2) == 9)
        for text in ["+202", "-001", " 987", "987", "98765", "9a"] {
            #expect(DecimalDigits.fixedWidth(text.utf8, count: 4) == nil, "\(text)")
        }
    }

    @Test func bookingAndWaitlistIdsHaveOneSpelling() {
        let resource = ResourceID("r")!
        #expect(BookingID(parsing: "r/1") == BookingID(resource: resource, sequence: 1))
        #expect(WaitlistEntryID(parsing: "r/w3") == WaitlistEntryID(resource: resource, number: 3))
        for text in ["r/+1", "r/01", "r/ 1", "r/1 ", "r/-1", "r/0", "r/"] {
            #expect(BookingID(parsing: text) == nil, "\(text)")
        }
        for text in ["r/w+1", "r/w01", "r/w0", "r/w", "r/W1"] {
            #expect(WaitlistEntryID(parsing: text) == nil, "\(text)")
        }
    }
}
