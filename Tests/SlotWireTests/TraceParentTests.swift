import Foundation
import SlotWire
import Testing

/// `trace` at the edge: what is a W3C traceparent of version 00, and where a request may carry one.
@Suite struct TraceParentTests {
    static let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test func aVersion00TraceparentIsTakenWithItsIDs() throws {
        let trace = try #require(TraceParent(Self.valid))
        #expect(trace.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(trace.parentID == "00f067aa0ba902b7")
        #expect(trace.text == Self.valid)
    }

    @Test(arguments: [
        "",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // another version
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // uppercase
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // all-zero parent id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",  // too long
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",  // too short
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",  // wrong separators
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",  // not hex
    ])
    func anythingElseIsNotOne(_ text: String) {
        #expect(TraceParent(text) == nil)
    }

    private func decode(_ line: String) -> Result<Request, DecodeFailure> {
        RequestDecoder().decode(Array(line.utf8))
    }

    @Test func aRequestCarriesItsTrace() throws {
        let request = try decode(#"{"id":1,"op":"ping","trace":"\#(Self.valid)"}"#).get()
        #expect(request.trace?.text == Self.valid)
        #expect(try decode(#"{"id":1,"op":"ping","trace":null}"#).get().trace == nil)
        #expect(try decode(#"{"id":1,"op":"ping"}"#).get().trace == nil)
    }

    @Test(arguments: [#""00-abc""#, "7", "true", #"{"traceparent":"x"}"#])
    func aMalformedTraceIsRefusedNamingTheField(_ value: String) throws {
        guard case .failure(let failure) = decode(#"{"id":"r","op":"ping","trace":\#(value)}"#) else {
            Issue.record("accepted")
            return
        }
        #expect(failure.id == .string("r"))
        #expect(failure.error.code == "invalid_request")
        #expect(failure.error.details["field"] == "trace")
        #expect(failure.trace == nil)
    }

    @Test func aRequestRefusedAfterItsTraceWasReadKeepsIt() throws {
        guard case .failure(let failure) = decode(#"{"id":2,"op":"frobnicate","trace":"\#(Self.valid)"}"#) else {
            Issue.record("accepted")
            return
        }
        #expect(failure.error.code == "unknown_op")
        #expect(failure.trace?.text == Self.valid)
    }

    @Test func aBatchOpTakesNoTraceOfItsOwn() throws {
        let op = #"{"id":"a","op":"ping","trace":"\#(Self.valid)"}"#
        let independent = try decode(#"{"op":"batch","atomic":false,"ops":[\#(op)]}"#).get()
        guard case .batch(let batch) = independent.operation, case .failure(let error)? = batch.items.first?.request
        else {
            Issue.record("the op was taken")
            return
        }
        #expect(error.details["field"] == "trace")
        #expect(error.message == "trace goes on the batch, not on its ops")
        let traced = try decode(
            #"{"op":"batch","atomic":false,"trace":"\#(Self.valid)","ops":[{"op":"ping"}]}"#
        ).get()
        #expect(traced.trace?.text == Self.valid)
    }

    @Test func theTraceFollowsOkInTheReply() {
        let trace = TraceParent(Self.valid)!
        for (id, ok) in [(RequestID.integer(12), true), (.string("a\"b"), false), (.null, true), (.number(1.5), false)]
        {
            let plain =
                ok
                ? ReplyEncoder.success(id: id, .empty)!
                : ReplyEncoder.failure(id: id, .invalid("x", "is wrong"))
            let traced = String(decoding: ReplyEncoder.tracing(plain, id: id, trace: trace), as: UTF8.self)
            let text = String(decoding: plain, as: UTF8.self)
            let okMember = ok ? "\"ok\":true" : "\"ok\":false"
            let expected = text.replacingOccurrences(
                of: okMember, with: okMember + ",\"trace\":\"\(Self.valid)\"", options: [], range: nil)
            #expect(traced == expected)
            #expect(traced.utf8.count == text.utf8.count + TraceParent.replyFieldBytes)
        }
    }
}
