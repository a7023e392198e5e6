import SlotDomain
import Testing

@testable import SlotWire

@Suite struct RequestDecoderTests {
    let decoder = RequestDecoder()

    func failure(_ line: String) -> DecodeFailure? {
        if case .failure(let failure) = decoder.decode(Array(line.utf8)) { return failure }
        return nil
    }

    @Test func decodesAHold() throws {
        let line =
            #"{"id":7,"op":"hold","resource":"r1","start":"2027-01-11T10:00:00Z","end":"2027-01-11T10:30:00Z","customer":"ann","ttl_seconds":60,"idempotency_key":"k1"}"#
        guard case .success(let request) = decoder.decode(Array(line.utf8)) else {
            Issue.record("did not decode")
            return
        }
        #expect(request.id == .integer(7))
        guard case .hold(let resource, let command) = request.operation else {
            Issue.record("not a hold")
            return
        }
        #expect(resource.rawValue == "r1")
        #expect(command.ttlSeconds == 60)
        #expect(command.actor == "client")
        #expect(command.idempotency?.key == "k1")
    }

    @Test func idsEchoAsTheyCame() {
        #expect(failure(#"{"id":"abc","op":"nope"}"#)?.id == .string("abc"))
        #expect(failure(#"{"id":2.5,"op":"nope"}"#)?.id == .number(2.5))
        #expect(failure(#"{"op":"nope"}"#)?.id == RequestID.null)
        #expect(failure(#"{"id":{"x":1},"op":"ping"}"#)?.error.details["field"] == "id")
    }

    @Test(
        arguments: [
            (#"{"id":1,"op":"hold""#, "bad_json", nil),
            ("[1,2]", "invalid_request", "request"),
            ("\"ping\"", "invalid_request", "request"),
            (#"{"id":1}"#, "invalid_request", "op"),
            (#"{"id":1,"op":"fly"}"#, "unknown_op", nil),
            (#"{"id":1,"op":"ping","extra":1}"#, "invalid_request", "extra"),
            (#"{"id":1,"op":"hold","resource":"r","strat":"x"}"#, "invalid_request", "strat"),
            (#"{"id":1,"op":"hold","resource":"r"}"#, "invalid_request", "start"),
            (#"{"id":1,"op":"hold","resource":"r/1","start":"x"}"#, "invalid_request", "resource"),
            (
                #"{"id":1,"op":"hold","resource":"r","start":"2027-01-11","end":"x","customer":"c"}"#,
                "invalid_request", "start"
            ),
            (
                #"{"id":1,"op":"hold","resource":"r","start":"2027-01-11T10:00:00.5Z","end":"2027-01-11T10:30:00Z","customer":"c"}"#,
                "misaligned", "start"
            ),
            (
                #"{"id":1,"op":"hold","resource":"r","start":"2027-01-11T10:00:00Z","end":"2027-01-11T10:30:00Z","customer":""}"#,
                "invalid_request", "customer"
            ),
            (
                #"{"id":1,"op":"hold","resource":"r","start":"2027-01-11T10:00:00Z","end":"2027-01-11T10:30:00Z","customer":"c","ttl_seconds":1e30}"#,
                "invalid_request", "ttl_seconds"
            ),
            (
                #"{"id":1,"op":"hold","resource":"r","start":"2027-01-11T10:00:00Z","end":"2027-01-11T10:30:00Z","customer":"c","ttl_seconds":1.5}"#,
                "invalid_request", "ttl_seconds"
            ),
            (
                #"{"id":1,"op":"hold","resource":"r","start":"2027-01-11T10:00:00Z","end":"2027-01-11T10:30:00Z","customer":"c","ttl_seconds":"60"}"#,
                "invalid_request", "ttl_seconds"
            ),
            (#"{"id":1,"op":"create_resource","resource":"r","tz":"Nowhere/Town"}"#, "unknown_time_zone", "tz"),
            (
                #"{"id":1,"op":"create_resource","resource":"r","tz":"UTC","slot_minutes":7}"#, "invalid_request",
                "slot_minutes"
            ),
            (
                #"{"id":1,"op":"create_resource","resource":"r","tz":"UTC","capacity":99999999999999999999}"#,
                "invalid_request", "capacity"
            ),
            (#"{"id":1,"op":"confirm","booking":"nope"}"#, "invalid_request", "booking"),
            (#"{"id":1,"op":"confirm","booking":"r/+1"}"#, "invalid_request", "booking"),
            (#"{"id":1,"op":"confirm","booking":"r/01"}"#, "invalid_request", "booking"),
            (#"{"id":1,"op":"cancel_series","series":"r/ 1"}"#, "invalid_request", "series"),
            (#"{"id":1,"op":"waitlist_leave","entry":"r/w+3"}"#, "invalid_request", "entry"),
            (#"{"id":1,"op":"waitlist_leave","entry":"r/w03"}"#, "invalid_request", "entry"),
            (
                #"{"id":1,"op":"set_override","resource":"r","date":"+202-01-01","closed":true}"#, "invalid_request",
                "date"
            ),
            (
                #"{"id":1,"op":"set_override","resource":"r","date":"-202-01-01","closed":true}"#, "invalid_request",
                "date"
            ),
            (#"{"id":1,"op":"clear_override","resource":"r","date":"202-01-01"}"#, "invalid_request", "date"),
            (#"{"id":1,"op":"clear_override","resource":"r","date":"2026-1-01"}"#, "invalid_request", "date"),
            (#"{"id":1,"op":"clear_override","resource":"r","date":"2026-01-+1"}"#, "invalid_request", "date"),
            (#"{"id":1,"op":"clear_override","resource":"r","date":"0000-01-01"}"#, "invalid_request", "date"),
            (
                #"{"id":1,"op":"set_weekly_hours","resource":"r","weekly_hours":{"mon":[["+9:00","17:00"]]}}"#,
                "invalid_request", "weekly_hours.mon"
            ),
            (
                #"{"id":1,"op":"set_weekly_hours","resource":"r","weekly_hours":{"mon":[["9:00","17:00"]]}}"#,
                "invalid_request", "weekly_hours.mon"
            ),
            (
                #"{"id":1,"op":"set_override","resource":"r","date":"2027-01-01","hours":[["09:00","17:+0"]]}"#,
                "invalid_request", "hours"
            ),
            (
                #"{"id":1,"op":"availability","resource":"r","from":"2027-01-11T00:00:00Z","to":"2027-01-12T00:00:00Z"}"#,
                "invalid_request", "duration_minutes"
            ),
        ] as [(String, String, String?)])
    func refusals(line: String, code: String, field: String?) {
        let decoded = failure(line)
        #expect(decoded?.error.code == code, "\(line)")
        #expect(decoded?.error.details["field"] == field, "\(line)")
    }

    /// Dates before year 1000 are read as written, four digits, and written back the same way.
    @Test func earlyDatesRoundTripWithFourDigits() throws {
        let line = #"{"op":"set_override","resource":"r","date":"0987-03-01","closed":true}"#
        guard case .success(let request) = decoder.decode(Array(line.utf8)),
            case .changeRules(_, .override(let date, _), _, _) = request.operation
        else {
            Issue.record("did not decode")
            return
        }
        #expect(date.description == "0987-03-01")
    }

    @Test func fingerprintsDistinguishRequests() {
        func stamp(_ line: String) -> IdempotencyStamp? {
            guard case .success(let request) = decoder.decode(Array(line.utf8)),
                case .hold(_, let command) = request.operation
            else { return nil }
            return command.idempotency
        }
        let base =
            #"{"op":"hold","resource":"r","start":"2027-01-11T10:00:00Z","end":"2027-01-11T10:30:00Z","customer":"c","idempotency_key":"k""#
        let sameInstantOtherOffset =
            #"{"op":"hold","resource":"r","start":"2027-01-11T11:00:00+01:00","end":"2027-01-11T10:30:00Z","customer":"c","idempotency_key":"k","id":9}"#
        let otherCustomer =
            #"{"op":"hold","resource":"r","start":"2027-01-11T10:00:00Z","end":"2027-01-11T10:30:00Z","customer":"d","idempotency_key":"k"}"#
        #expect(stamp(base + "}") == stamp(sameInstantOtherOffset))
        #expect(stamp(base + "}") != stamp(otherCustomer))
    }

    @Test func repliesKeepIdAndOkFirstAndEscapeStrings() {
        let bytes = ReplyEncoder.failure(
            id: .string("a\"b"), WireError(code: "x", message: "line\nbreak", details: ["field": "f"]))
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == #"{"id":"a\"b","ok":false,"error":{"code":"x","message":"line\nbreak","field":"f"}}"# + "\n")
    }
}
