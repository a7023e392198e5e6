import SlotClient
import SlotTesting
import Testing

/// A subscriber on a real connection. `SlotConnection` keeps event lines apart from replies (docs/PROTOCOL.md,
/// "Telling event lines from replies"): `call` returns the reply, `nextEvent` the next event line.
struct StreamClient {
    let connection: SlotConnection

    /// Subscribes with `fields` (`all`, `resources`, `types`, `from_seq`) and returns the reply.
    func subscribe(_ fields: [String: JSONValue] = ["all": true]) async throws -> JSONValue {
        var request = fields
        request["op"] = "subscribe"
        return try await connection.call(.object(request))
    }

    /// The next event line's `event`.
    func nextEvent() async throws -> JSONValue {
        let line = try JSONValue.parse(String(decoding: try await connection.receiveEvent(), as: UTF8.self))
        guard let event = line["event"] else {
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
}

extension JSONValue {
    /// An event's `seq` as a number.
    var seq: Int? { self["seq"]?.int }
}
