import Foundation
import Logging
import SlotJSON
import Testing

@testable import SlotServer

/// The log line's layout: fixed fields first, then the metadata sorted by key, the event's winning over the
/// handler's on a shared key.
@Suite struct JSONLogHandlerTests {
    static func event(_ level: Logger.Level, _ metadata: Logger.Metadata?) -> LogEvent {
        LogEvent(
            level: level, message: "request rejected", metadata: metadata, source: nil, file: "F.swift",
            function: "f", line: 7)
    }

    @Test func metadataIsMergedAndSortedAndTheTimeHasMilliseconds() throws {
        var handler = JSONLogHandler(label: "slotd", level: .info)
        handler[metadataKey: "request.id"] = "1.1"
        handler[metadataKey: "connection.id"] = "1"
        let event = Self.event(.info, ["request.id": "1.2", "error.code": "slot_unavailable"])
        // 2026-11-22T05:01:10.005Z
        let line = handler.line(for: event, atMilliseconds: 1_795_323_670_005)
        let text = String(decoding: line, as: UTF8.self)
        #expect(
            text == """
                {"ts":"2026-11-22T05:01:10.005Z","level":"info","service":"slotd","message":"request rejected",\
                "connection.id":"1","error.code":"slot_unavailable","request.id":"1.2"}

                """)
    }

    @Test func timesBefore1970RoundDownAndErrorsNameTheirSource() throws {
        let handler = JSONLogHandler(label: "slotd", level: .info)
        let line = handler.line(for: Self.event(.error, nil), atMilliseconds: -1)
        let parsed = try JSONValue.parse(String(decoding: line, as: UTF8.self))
        #expect(parsed["ts"] == "1969-12-31T23:59:59.999Z")
        #expect(parsed["source"] == "F.swift:7")
        #expect(line.last == UInt8(ascii: "\n"))
    }
}
