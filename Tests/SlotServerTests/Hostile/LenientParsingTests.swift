import Foundation
import SlotClient
import SlotTesting
import Testing

/// Strict parsing: spellings outside the documented grammar (a sign in a `\u` escape, a booking id or a date, a
/// one-digit hour) are refused with their documented code, so that two readers of one line cannot disagree, and
/// every value the server echoes (early dates included) is accepted back.
@Suite struct LenientParsingTests {
    /// A raw request line and the code and field it must get.
    static let lines: [(line: String, code: String, field: String?)] = [
        (#"{"id":1,"op":"ping","x":"\u+041"}"#, "bad_json", nil),
        (#"{"id":2,"op":"ping","x":"\u-000"}"#, "bad_json", nil),
        (#"{"id":3,"op":"get_booking","booking":"r/+1"}"#, "invalid_request", "booking"),
        (#"{"id":4,"op":"get_booking","booking":"r/01"}"#, "invalid_request", "booking"),
        (#"{"id":5,"op":"waitlist_status","entry":"r/w+1"}"#, "invalid_request", "entry"),
        (#"{"id":6,"op":"set_override","resource":"r","date":"+202-01-01","closed":true}"#, "invalid_request", "date"),
        (#"{"id":7,"op":"clear_override","resource":"r","date":"987-03-01"}"#, "invalid_request", "date"),
        (
            #"{"id":8,"op":"set_weekly_hours","resource":"r","weekly_hours":{"mon":[["+9:00","17:00"]]}}"#,
            "invalid_request", "weekly_hours.mon"
        ),
        (
            #"{"id":9,"op":"book_series","resource":"r","start":"2027-01-05T10:00:00Z","end":"2027-01-05T11:00:00Z","customer":"c","rule":{"freq":"daily","until":"+2027-01-09"}}"#,
            "invalid_request", "rule.until"
        ),
    ]

    @Test func offGrammarSpellingsAreRefusedAndEchoesAreAcceptedBack() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await SlotdProcess(dataDirectory: directory)
        let before = try #require(server.cost)
        let (_, probe) = try await PingProbe.whilePinging(port: server.port) {
            try await SlotConnection.withConnection(port: server.port) { client in
                #expect(try await client.call(Requests.createResource("r"))["ok"] == true)
                for (line, code, field) in Self.lines {
                    try await client.send(line)
                    let reply = try await client.receive()
                    #expect(reply.errorCode == code, "\(line) → \(reply)")
                    if let field { #expect(reply["error"]?["field"]?.string == field, "\(line) → \(reply)") }
                }
                // A date before year 1000 is echoed with four digits, and the echo clears it.
                let set = try await client.call(
                    ["op": "set_override", "resource": "r", "date": "0987-03-01", "closed": true])
                let echoed = try #require(set["rules"]?["overrides"]?.array?.first?["date"]?.string, "\(set)")
                #expect(echoed == "0987-03-01")
                let cleared = try await client.call(["op": "clear_override", "resource": "r", "date": .string(echoed)])
                #expect(cleared["ok"] == true, "\(cleared)")
                #expect(cleared["rules"]?["overrides"]?.array?.isEmpty == true, "\(cleared)")
            }
        }
        #expect(server.process.isRunning)
        let after = try #require(server.cost)
        // A dozen refusals: well under a second of CPU and a few MiB, with generous room for a busy machine.
        after.expectGrowth(since: before, cpuSecondsMax: 2, residentBytesGrowthMax: 64 << 20)
        // Each refusal is decided in microseconds.
        await probe.expectServed()
        #expect(try await server.terminate() == 0)
    }
}
