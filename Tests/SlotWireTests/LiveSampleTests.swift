import SlotDomain
import SlotJSON
import Testing

@testable import SlotWire

/// A `monitor` reply's samples read back (`slotctl top`): what is read writes the server's text again, and a
/// sample missing a field or with one of the wrong type is not read.
@Suite struct LiveSampleTests {
    static let busy = LiveSample(
        at: Instant(secondsSinceEpoch: 1_799_049_600), requestsByOp: ["hold": 812, "confirm": 3, "undecoded": 1],
        errors: 4, durationP50Seconds: 0.000_148_5, durationP99Seconds: 0.003_5, journalQueueDepth: 17,
        journalCommits: 120, journalEntriesCommitted: 815, connections: 64)
    static let quiet = LiveSample(
        at: Instant(secondsSinceEpoch: 1_799_049_601), requestsByOp: [:], errors: 0, durationP50Seconds: nil,
        durationP99Seconds: nil, journalQueueDepth: 0, journalCommits: 0, journalEntriesCommitted: 0, connections: 0)

    static func text(_ sample: LiveSample) -> String {
        var writer = JSONWriter()
        sample.write(to: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test(arguments: [busy, quiet])
    func aSampleReadBackWritesTheSameText(_ sample: LiveSample) throws {
        let text = Self.text(sample)
        let read = try #require(LiveSample(json: try JSONValue.parse(text)))
        #expect(read == sample)
        #expect(Self.text(read) == text)
    }

    @Test func aSampleWithAFieldMissingOrMistypedIsNotRead() throws {
        guard case .object(let fields) = try JSONValue.parse(Self.text(Self.busy)) else {
            Issue.record("a sample is an object")
            return
        }
        for name in fields.keys where name != "requests" {
            var missing = fields
            missing[name] = nil
            #expect(LiveSample(json: .object(missing)) == nil, "without \(name)")
            var mistyped = fields
            mistyped[name] = .string("x")
            #expect(LiveSample(json: .object(mistyped)) == nil, "\(name) as a string")
        }
        var badOp = fields
        badOp["requests_by_op"] = ["hold": "many"]
        #expect(LiveSample(json: .object(badOp)) == nil)
    }

    @Test func monitorTakesSecondsUpToWhatTheServerKeeps() {
        let decoder = RequestDecoder()
        func seconds(_ line: String) -> Int? {
            guard case .success(let request) = decoder.decode(Array(line.utf8)),
                case .monitor(let seconds) = request.operation
            else { return nil }
            return seconds
        }
        #expect(seconds(#"{"op":"monitor"}"#) == 1)
        #expect(seconds(#"{"op":"monitor","seconds":1}"#) == 1)
        #expect(seconds(#"{"op":"monitor","seconds":900}"#) == LiveSample.secondsKept)
        #expect(seconds(#"{"op":"monitor","seconds":901}"#) == nil)
        #expect(seconds(#"{"op":"monitor","seconds":0}"#) == nil)
    }
}
