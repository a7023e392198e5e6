import SlotClient
import SlotTesting
import Testing

/// A subscriber on a real connection: sends `subscribe`, then tells event lines from replies as a client must
/// (docs/PROTOCOL.md): a reply has `ok`, an event line's one key is `event`.
struct StreamClient {
    let connection: SlotConnection

    /// Subscribes with `fields` (`all`, `resources`, `types`, `from_seq`) and returns the reply's `subscription`.
    func subscribe(_ fields: [String: JSONValue] = ["all": true]) async throws -> JSONValue {
        var request = fields
        request["op"] = "subscribe"
        let reply = try await connection.call(.object(request))
        return reply
    }

    /// The next line, which must be an event line: its `event`.
    func nextEvent() async throws -> JSONValue {
        let line = try await connection.receive()
        guard let event = line["event"], line["ok"] == nil else {
            Issue.record("expected an event line, got \(line)")
            return .null
        }
        return event
    }

    /// The next `count` events.
    func events(_ count: Int) async throws -> [JSONValue] {
        var events: [JSONValue] = []
        for _ in 0..<count { events.append(try await nextEvent()) }
        return events
    }

    /// Sends `request` and returns its reply, collecting the event lines that arrive before it.
    func call(_ request: JSONValue, events: inout [JSONValue]) async throws -> JSONValue {
        try await connection.send(request)
        while true {
            let line = try await connection.receive()
            if let event = line["event"], line["ok"] == nil {
                events.append(event)
            } else {
                return line
            }
        }
    }
}

extension JSONValue {
    /// An event's `seq` as a number.
    var seq: Int? { self["seq"]?.int }
}
