import SlotDomain
import Testing

@testable import SlotWire

/// A client may not sign a request with a name slotd writes for itself (`system` for expiry and releases,
/// `waitlist` for a promotion's hold): the history would show the server doing what a client did.
@Suite struct ReservedActorTests {
    let decoder = RequestDecoder()

    /// One decodable request of every op that takes `actor`, without the actor.
    static let requestsTakingActor: [String] = [
        #""op":"hold","resource":"r","start":"2027-01-11T10:00:00Z","end":"2027-01-11T10:30:00Z","customer":"c""#,
        #""op":"book","resource":"r","start":"2027-01-11T10:00:00Z","end":"2027-01-11T10:30:00Z","customer":"c""#,
        #""op":"hold","pool":["a","b"],"start":"2027-01-11T10:00:00Z","end":"2027-01-11T10:30:00Z","customer":"c""#,
        #""op":"book","resources":["a","b"],"start":"2027-01-11T10:00:00Z","end":"2027-01-11T10:30:00Z","customer":"c""#,
        #""op":"confirm","booking":"r/1""#,
        #""op":"cancel","booking":"r/1","reason":"x""#,
        #""op":"reschedule","booking":"r/1","start":"2027-01-11T11:00:00Z","end":"2027-01-11T11:30:00Z""#,
        #""op":"complete","booking":"r/1""#,
        #""op":"no_show","booking":"r/1""#,
        #""op":"set_weekly_hours","resource":"r","weekly_hours":null"#,
        #""op":"set_override","resource":"r","date":"2027-01-11","closed":true"#,
        #""op":"clear_override","resource":"r","date":"2027-01-11""#,
        #""op":"add_block","resource":"r","start":"2027-01-11T10:00:00Z","end":"2027-01-11T11:00:00Z""#,
        #""op":"remove_block","resource":"r","block":1"#,
        #""op":"set_limits","resource":"r","min_notice_minutes":10"#,
        #""op":"book_series","resource":"r","start":"2027-01-11T10:00:00Z","end":"2027-01-11T10:30:00Z","customer":"c","rule":{"freq":"daily","count":2}"#,
        #""op":"cancel_series","series":"r/1""#,
        #""op":"waitlist_join","resource":"r","start":"2027-01-11T10:00:00Z","end":"2027-01-11T10:30:00Z","customer":"c""#,
        #""op":"waitlist_leave","entry":"r/w1""#,
    ]

    func decode(_ fields: String, actor: String?) -> Result<Request, DecodeFailure> {
        let actorField = actor.map { #","actor":"\#($0)""# } ?? ""
        return decoder.decode(Array("{\(fields)\(actorField)}".utf8))
    }

    @Test(arguments: requestsTakingActor)
    func everyOpRefusesTheServersNames(fields: String) {
        for name in ["system", "waitlist", "System", "WAITLIST", " system "] {
            guard case .failure(let failure) = decode(fields, actor: name) else {
                Issue.record("\(fields) accepted actor \(name)")
                continue
            }
            #expect(failure.error.code == "invalid_request")
            #expect(failure.error.details["field"] == "actor")
            #expect(failure.error.message.contains("reserved"), "\(failure.error.message)")
        }
    }

    @Test(arguments: requestsTakingActor)
    func everyOpAcceptsOtherNamesAndDefaultsToClient(fields: String) {
        for name in [nil, "", "client", "front-desk", "systems", "waitlister"] {
            guard case .success = decode(fields, actor: name) else {
                Issue.record("\(fields) refused actor \(name ?? "none")")
                continue
            }
        }
    }

    @Test func theDefaultActorIsClient() throws {
        guard case .success(let request) = decode(Self.requestsTakingActor[4], actor: nil),
            case .transition(_, _, let actor, _) = request.operation
        else {
            Issue.record("did not decode a confirm")
            return
        }
        #expect(actor == Actors.client)
    }

    @Test func reservedNamesAreComparedWithoutCaseOrSurroundingSpace() {
        #expect(Actors.isReserved("system"))
        #expect(Actors.isReserved("Waitlist"))
        #expect(Actors.isReserved("\tSYSTEM\n"))
        #expect(!Actors.isReserved("client"))
        #expect(!Actors.isReserved("sys tem"))
        #expect(!Actors.isReserved("system-admin"))
    }
}
