import SlotDomain
import Testing

@testable import SlotWire

/// Refusals read as sentences and name the field at fault; codes and `field` stay what the protocol promises.
@Suite struct MessageTests {
    let decoder = RequestDecoder()

    func failure(_ line: String) -> WireError? {
        if case .failure(let failure) = decoder.decode(Array(line.utf8)) { return failure.error }
        return nil
    }

    @Test func bothFormsOfOneInstantAreNamedInASentence() {
        let error = failure(
            #"{"op":"hold","resource":"r","customer":"c","tz":"UTC","start":"2027-01-11T10:00:00Z","start_local":"2027-01-11T10:00","end":"2027-01-11T11:00:00Z"}"#
        )
        #expect(error?.code == "invalid_request")
        #expect(error?.details["field"] == "start_local")
        #expect(error?.message == "give start or start_local, not both")
    }

    /// Valid JSON, too deep to read: said so, with the limit, not called invalid.
    @Test func tooDeepIsNotCalledInvalid() {
        let deep =
            #"{"op":"ping","x":"# + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000) + "}"
        let error = failure(deep)
        #expect(error?.code == "bad_json")
        #expect(error?.message == "the line is nested too deeply: at most 512 arrays and objects inside one another")
        #expect(error?.details["limit"] == "512")
        let object = String(repeating: #"{"a":"#, count: 5_000) + "1" + String(repeating: "}", count: 5_000)
        #expect(failure(object)?.details["limit"] == "512")
        #expect(failure(#"{"op":"ping""#)?.message == "the line is not valid JSON")
    }

    /// Sentences that name two fields do not start with one of them as a subject.
    @Test(
        arguments: [
            (
                #"{"op":"availability","resource":"r","resources":["a"],"from":"2027-01-11T00:00:00Z","to":"2027-01-12T00:00:00Z","duration_minutes":15}"#,
                "resources", "give resource or resources, not both"
            ),
            (
                #"{"op":"hold","resource":"r","pool":["a"],"start":"2027-01-11T10:00:00Z","end":"2027-01-11T11:00:00Z","customer":"c"}"#,
                "resources", "give exactly one of resource, resources or pool"
            ),
            (#"{"op":"waitlist_status"}"#, "entry", "give exactly one of entry or resource"),
            (
                #"{"op":"set_override","resource":"r","date":"2027-01-11"}"#, "hours",
                #"give either "closed": true or "hours": [["HH:MM", "HH:MM"], …]"#
            ),
        ] as [(String, String, String)])
    func pairsOfFieldsAreNamedInASentence(line: String, field: String, message: String) {
        let error = failure(line)
        #expect(error?.code == "invalid_request")
        #expect(error?.details["field"] == field)
        #expect(error?.message == message)
    }
}
