import SlotClient
import Testing

@testable import slotload

/// slotload's parts that need no server: how a `batch` reply is cut back into one reply per op, how those replies
/// reach the ledger, and the verdict on a group read back with `get_group`.
@Suite struct SlotloadVerdictTests {
    static func plan(_ scenario: Scenario, resources: [String] = ["r-a", "r-b"]) -> Plan {
        Plan(
            scenario: scenario, resources: resources, firstDaySeconds: 1_800_000_000 / 86_400 * 86_400, days: 1,
            slotSeconds: 900, hotCount: 1, connections: 1,
            slotOrder: SlotPermutation(count: resources.count * 96, seed: 1))
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func aBatchReplyIsCutIntoOneReplyPerOpWhateverItsStringsHold() {
        let line =
            #"{"id":1,"ok":true,"results":[{"ok":true,"booking":{"id":"r/1","customer":"}],\"{["}},"#
            + #"{"ok":false,"error":{"code":"slot_unavailable","message":"a [bracket], a quote \" and a \\"}}]}"#
        guard case .results(let ranges) = BatchReply(Self.bytes(line)) else {
            Issue.record("not cut: \(line)")
            return
        }
        let parts = ranges.map { String(decoding: Self.bytes(line)[$0], as: UTF8.self) }
        #expect(parts.count == 2, "\(parts)")
        #expect(parts.first?.hasSuffix(#"{["}}"#) == true && parts.last?.hasSuffix(#"\\"}}"#) == true, "\(parts)")
        #expect(parts.allSatisfy { (try? JSONValue.parse($0)) != nil }, "each part is one whole reply: \(parts)")
        #expect(ReplyFields(Self.bytes(parts[0])).bookingSequence == 1)
        #expect(ReplyFields(Self.bytes(parts[1])).code == "slot_unavailable")
    }

    @Test func aBatchRefusedWholeOrCutShortIsNotTakenForResults() {
        let refused = #"{"id":1,"ok":false,"error":{"code":"invalid_request","message":"ops: at most 100"}}"#
        #expect(BatchReply(Self.bytes(refused)) == .refused)
        #expect(BatchReply(Self.bytes(#"{"id":1,"ok":true,"results":[{"ok":true}"#)) == .malformed)
        #expect(BatchReply(Self.bytes(#"{"id":1,"ok":true}"#)) == .malformed)
    }

    /// A round of two `batch` lines of three ops (the second line short: seven ops in all with a budget of
    /// five), and each op's reply reaching the ledger and the samples in the order the ops were written.
    @Test func aWorkerSendsBatchLinesAndCreditsEachResultToItsOp() throws {
        var worker = LoadWorker(
            index: 0, plan: Self.plan(.uniform), pipeline: 2, batchSize: 3, requests: 5, seed: 1,
            interruption: TrafficInterruption())
        var text: [UInt8] = []
        let started = worker.nextRound(into: &text)
        #expect(started)
        let lines = String(decoding: text, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONValue.parse(lines[0])
        #expect(first["op"] == "batch" && first["atomic"] == false)
        let second = try JSONValue.parse(lines[1])
        #expect(first["ops"]?.array?.count == 3 && second["ops"]?.array?.count == 2)
        #expect(first["ops"]?[0]?["op"] == "book")
        let booked = #"{"ok":true,"booking":{"id":"r-a/7","resource":"r-a","state":"confirmed"}}"#
        let refused = #"{"ok":false,"error":{"code":"slot_unavailable","message":"full"}}"#
        let firstLineEndsRound = try worker.take(
            Self.bytes(#"{"ok":true,"results":[\#(booked),\#(refused),\#(booked)]}"#))
        let secondLineEndsRound = try worker.take(Self.bytes(#"{"ok":true,"results":[\#(refused),\#(booked)]}"#))
        #expect(!firstLineEndsRound && secondLineEndsRound)
        #expect(worker.roundSamples.map(\.code) == ["ok", "slot_unavailable", "ok", "slot_unavailable", "ok"])
        #expect(worker.roundSamples.map(\.confirmedBookings) == [1, 0, 1, 0, 1])
        #expect(worker.result.ledger.count == 3)
        let startedAgain = worker.nextRound(into: &text)
        #expect(!startedAgain, "the budget of five is spent")
    }

    @Test func aBatchReplyWithTheWrongNumberOfResultsStopsTheConnection() {
        var worker = LoadWorker(
            index: 0, plan: Self.plan(.uniform), pipeline: 1, batchSize: 3, requests: 3, seed: 1,
            interruption: TrafficInterruption())
        var text: [UInt8] = []
        let started = worker.nextRound(into: &text)
        #expect(started)
        #expect(throws: LoadWorker.UnmatchedReply.self) {
            try worker.take(Self.bytes(#"{"ok":true,"results":[{"ok":true}]}"#))
        }
    }

    /// A group hold's reply puts each member in the ledger (by its own resource) and the group in the results.
    @Test func aGroupHoldRecordsItsGroupAndEveryMember() {
        var traffic = LoadTraffic(index: 0, plan: Self.plan(.mixed), seed: 1)
        let reply =
            #"{"ok":true,"group":{"id":"r-a/g4","state":"pending_confirmation","bookings":["#
            + #"{"id":"r-a/4","resource":"r-a","state":"pending_confirmation","expires_at":"2030-01-01T00:00:20Z","group":"r-a/g4"},"#
            + #"{"id":"r-b/9","resource":"r-b","state":"pending_confirmation","expires_at":"2030-01-01T00:00:20Z","group":"r-a/g4"}]}}"#
        let pending = Pending(op: .groupHold, resource: 1, otherResource: 0, start: 100, end: 1_000)
        #expect(traffic.apply(ReplyFields(Self.bytes(reply)), to: pending) == 0)
        #expect(traffic.result.groups.map(\.id) == ["r-a/g4"])
        #expect(
            traffic.result.groups.first?.members
                == [BookingRef(resource: 0, sequence: 4), BookingRef(resource: 1, sequence: 9)])
        #expect(traffic.result.ledger.map(\.resource) == [0, 1])
        #expect(traffic.result.ledger.allSatisfy { $0.start == 100 && $0.end == 1_000 })
    }

    static func group(_ states: [String], said: String, ids: [String] = ["r-a/4", "r-b/9"]) -> JSONValue {
        let bookings = zip(ids, states).map { id, state -> JSONValue in
            ["id": .string(id), "state": .string(state), "group": "r-a/g4"]
        }
        return ["ok": true, "group": ["id": "r-a/g4", "state": .string(said), "bookings": .array(bookings)]]
    }

    @Test func theVerdictPassesAWholeGroupAndFailsAPartialOne() {
        let members = ["r-b/9", "r-a/4"]
        #expect(
            Verifier.groupProblem(
                "r-a/g4", members: members, reply: Self.group(["confirmed", "confirmed"], said: "confirmed")) == nil)
        #expect(
            Verifier.groupProblem(
                "r-a/g4", members: members, reply: Self.group(["expired", "expired"], said: "expired")) == nil)
        let partial = Verifier.groupProblem(
            "r-a/g4", members: members, reply: Self.group(["confirmed", "pending_confirmation"], said: "confirmed"))
        #expect(partial == "group r-a/g4 is partial: r-a/4 confirmed, r-b/9 pending_confirmation")
        let mislabeled = Verifier.groupProblem(
            "r-a/g4", members: members, reply: Self.group(["canceled", "canceled"], said: "confirmed"))
        #expect(mislabeled == "group r-a/g4 says confirmed, but its members are all canceled")
        let shrunk = Verifier.groupProblem(
            "r-a/g4", members: members, reply: Self.group(["confirmed"], said: "confirmed", ids: ["r-a/4"]))
        #expect(shrunk == "group r-a/g4 shows members r-a/4, acknowledged r-b/9, r-a/4")
        let lost = Verifier.groupProblem(
            "r-a/g4", members: members,
            reply: ["ok": false, "error": ["code": "not_found", "message": "no group r-a/g4"]])
        #expect(lost == "get_group r-a/g4 failed: not_found")
    }
}
