import Foundation
import SlotClient
import SlotDomain
import SlotWire

struct ConnectionResult: Sendable {
    var resources: [String]
    var confirmed: Set<String>
    var pairLatencySeconds: [Double]
    var requests: Int
    var refused: Int
    var rangeStart: String
    var rangeEnd: String
}

/// One connection's share of the load: creates its resources, then books consecutive 15-minute slots on them,
/// round robin, `pipeline` holds at a time followed by their confirms.
struct Worker: Sendable {
    let host: String
    let port: Int
    let prefix: String
    let resources: Int
    let bookings: Int
    let pipeline: Int
    let firstDaySeconds: Int

    func run() async throws -> ConnectionResult {
        let names = (0..<resources).map { "\(prefix)-\($0)" }
        let days = bookings / (resources * 96) + 2
        var result = ConnectionResult(
            resources: names, confirmed: [], pairLatencySeconds: [], requests: 0, refused: 0,
            rangeStart: Self.format(firstDaySeconds), rangeEnd: Self.format(firstDaySeconds + min(days, 90) * 86_400))
        try await SlotConnection.withConnection(host: host, port: port) { client in
            for name in names {
                let reply = try await client.call([
                    "op": "create_resource", "resource": .string(name), "tz": "UTC",
                    "horizon_days": .number(Double(days + 2)),
                ])
                guard reply.ok else { throw ValidationErrorMessage("create_resource failed: \(reply)") }
            }
            var next = 0
            while next < bookings {
                let batch = min(pipeline, bookings - next)
                let started = ContinuousClock.now
                let holds: [JSONValue] = (next..<(next + batch)).map { index in
                    let start = firstDaySeconds + (index / resources) * 900
                    return [
                        "op": "hold", "resource": .string(names[index % resources]), "customer": "load",
                        "start": .string(Self.format(start)), "end": .string(Self.format(start + 900)),
                    ]
                }
                let held = try await client.pipeline(holds)
                let ids = held.compactMap { $0["booking"]?["id"]?.string }
                result.refused += held.count - ids.count
                let confirms = try await client.pipeline(ids.map { ["op": "confirm", "booking": .string($0)] })
                let elapsed = Slotload.seconds(ContinuousClock.now - started)
                for reply in confirms {
                    if reply["booking"]?["state"] == "confirmed", let id = reply["booking"]?["id"]?.string {
                        result.confirmed.insert(id)
                        result.pairLatencySeconds.append(elapsed)
                    } else {
                        result.refused += 1
                    }
                }
                result.requests += holds.count + confirms.count
                next += batch
            }
        }
        return result
    }

    static func format(_ seconds: Int) -> String {
        RFC3339.format(Instant(secondsSinceEpoch: Int64(seconds)))
    }
}

struct ValidationErrorMessage: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
