import ArgumentParser
import Foundation
import SlotClient

/// `slotload`: drives a running slotd with hold + confirm traffic and checks the result.
///
/// Every connection books distinct free slots on its own resources (no contention), `pipeline` requests at a
/// time. At the end it lists every booking from the server and checks that each acknowledged booking is there
/// and confirmed, none exists that was not acknowledged, and no two overlap. Exit status 1 when that fails.
@main
struct Slotload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slotload", abstract: "Load generator and correctness check for slotd.")

    @Option(help: "Server address.") var host = "127.0.0.1"
    @Option(help: "Server port.") var port = 7420
    @Option(name: [.customShort("c"), .long], help: "Concurrent connections.") var connections = 8
    @Option(name: [.customShort("n"), .long], help: "Bookings (hold + confirm) in all.") var requests = 20_000
    @Option(name: [.customShort("P"), .long], help: "Requests in flight per connection.") var pipeline = 1
    @Option(help: "Resources per connection.") var resourcesPerConnection = 4

    func validate() throws {
        guard connections > 0, requests > 0, pipeline > 0, resourcesPerConnection > 0 else {
            throw ValidationError("-c, -n, -P and --resources-per-connection must be positive")
        }
    }

    func run() async throws {
        let runID = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let perConnection = (requests + connections - 1) / connections
        let firstDay = (Int(Date().timeIntervalSince1970) / 86_400 + 1) * 86_400
        let started = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: ConnectionResult.self) { group in
            for index in 0..<connections {
                let worker = Worker(
                    host: host, port: port, prefix: "load-\(runID)-\(index)", resources: resourcesPerConnection,
                    bookings: perConnection, pipeline: pipeline, firstDaySeconds: firstDay)
                group.addTask { try await worker.run() }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let seconds = Self.seconds(ContinuousClock.now - started)
        let confirmed = results.reduce(0) { $0 + $1.confirmed.count }
        let latencies = results.flatMap(\.pairLatencySeconds).sorted()
        let problems = try await verify(results)
        let report: [String: Any] = [
            "connections": connections, "pipeline": pipeline, "duration_seconds": seconds,
            "bookings_confirmed": confirmed, "bookings_per_second": Double(confirmed) / seconds,
            "requests_per_second": Double(results.reduce(0) { $0 + $1.requests }) / seconds,
            "hold_confirm_latency_ms": [
                "p50": Self.percentile(latencies, 0.50) * 1_000, "p99": Self.percentile(latencies, 0.99) * 1_000,
                "max": (latencies.last ?? 0) * 1_000,
            ],
            "refused": results.reduce(0) { $0 + $1.refused },
            "verdict": problems.isEmpty ? "pass" : "fail", "problems": Array(problems.prefix(20)),
        ]
        let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
        if !problems.isEmpty { throw ExitCode(1) }
    }

    /// Reads every booking back from the server and compares with what the connections were told.
    private func verify(_ results: [ConnectionResult]) async throws -> [String] {
        var problems: [String] = []
        try await SlotConnection.withConnection(host: host, port: port) { client in
            for result in results {
                for resource in result.resources {
                    var seen: [String: (String, String)] = [:]
                    var after: JSONValue = .null
                    repeat {
                        var request: JSONValue = [
                            "op": "list_bookings", "resource": .string(resource), "limit": 10_000,
                            "from": .string(result.rangeStart), "to": .string(result.rangeEnd),
                        ]
                        if case .object(var object) = request, after != .null {
                            object["after"] = after
                            request = .object(object)
                        }
                        let page = try await client.call(request)
                        guard page.ok else {
                            problems.append("list_bookings \(resource) failed: \(page)")
                            break
                        }
                        for booking in page["bookings"]?.array ?? [] {
                            seen[booking["id"]?.string ?? ""] = (
                                booking["start"]?.string ?? "", booking["end"]?.string ?? ""
                            )
                        }
                        after = page["truncated"] == true ? (page["bookings"]?.array?.last?["id"] ?? .null) : .null
                    } while after != .null
                    let acknowledged = result.confirmed.filter { $0.hasPrefix(resource + "/") }
                    for id in acknowledged where seen[id] == nil { problems.append("\(id) acknowledged but missing") }
                    for id in seen.keys where !acknowledged.contains(id) {
                        problems.append("\(id) exists but was never acknowledged")
                    }
                    let ranges = seen.values.sorted { $0.0 < $1.0 }
                    for (earlier, later) in zip(ranges, ranges.dropFirst()) where later.0 < earlier.1 {
                        problems.append("\(resource): \(earlier) overlaps \(later)")
                    }
                }
            }
        }
        return problems
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }
}
