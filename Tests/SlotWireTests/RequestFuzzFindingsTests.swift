import Testing

@testable import SlotWire

/// Inputs the request fuzzer (scripts/fuzz.sh, target `request`) found. It decodes every line twice and requires
/// the same answer: Swift seeds each dictionary's hashing differently, so a decoder that walks a JSON object in
/// its dictionary's order can name a different error each time for the same line.
@Suite struct RequestFuzzFindingsTests {
    let decoder = RequestDecoder()

    /// Two bad days in `weekly_hours`: the reply named either one, at random. Now the first by name.
    @Test func twoBadDaysInWeeklyHoursAlwaysNameTheSameOne() {
        let line = Array(
            #"{"op":"set_weekly_hours","resource":"clinic","weekly_hours":{"mXXXXXXon":[[""]],"tue":[["41:00","17:00"]]}}"#
                .utf8)
        var messages: Set<String> = []
        // A dictionary's seed is its storage's address. The fuzzer (under ASan) never reuses an address; here the
        // allocator would hand each decoding the storage the last one freed, with the same seed and order. So
        // dictionaries of the sizes the decoder makes are kept alive in between: each decoding gets new addresses.
        // 40 tries all agree only if the order is fixed (by chance: 1 in 2^39).
        var kept: [[String: [[String]]]] = []
        for _ in 0..<40 {
            guard case .failure(let failure) = decoder.decode(line) else {
                Issue.record("the line decoded")
                return
            }
            for capacity in [1, 2, 3, 6, 12, 24] { kept.append(Dictionary(minimumCapacity: capacity)) }
            #expect(failure.error.code == "invalid_request")
            messages.insert(failure.error.message)
        }
        #expect(messages == ["weekly_hours has an unknown day 'mXXXXXXon' (use mon, tue, wed, thu, fri, sat, sun)"])
    }
}
