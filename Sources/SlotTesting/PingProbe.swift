import SlotClient

/// An unrelated, well-behaved client that pings the server over its own connection while an attack (or a load)
/// runs, and remembers its slowest round trip. The attack is harmless to others when that stays small.
public actor PingProbe {
    /// The slowest round trip of a ping so far.
    public private(set) var slowestMilliseconds = 0.0
    /// Pings answered so far.
    public private(set) var pings = 0
    /// Why pings failed (a refusal, or the connection's error), in order.
    public private(set) var failures: [String] = []

    /// Pings every `intervalMilliseconds` until `body` returns, then returns what `body` returned.
    public static func whilePinging<Result: Sendable>(
        port: Int, intervalMilliseconds: Int = 20, _ body: @Sendable () async throws -> Result
    ) async throws -> (result: Result, probe: PingProbe) {
        try await whilePinging(port: port, intervalMilliseconds: intervalMilliseconds) { _ in try await body() }
    }

    /// As above, with the probe handed to `body`, which can ask it whether it is still answered.
    public static func whilePinging<Result: Sendable>(
        port: Int, intervalMilliseconds: Int = 20, _ body: @Sendable (PingProbe) async throws -> Result
    ) async throws -> (result: Result, probe: PingProbe) {
        let probe = PingProbe()
        let result = try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                do {
                    try await SlotConnection.withConnection(port: port) { client in
                        // Bounded: at most ten minutes of pings; the attack's end cancels it long before.
                        for _ in 0..<(600_000 / intervalMilliseconds) {
                            let start = ContinuousClock.now
                            let reply = try await client.call(["id": 1, "op": "ping"])
                            await probe.record(start.duration(to: .now), ok: reply.ok)
                            try await Task.sleep(for: .milliseconds(intervalMilliseconds))
                        }
                    }
                } catch is CancellationError {
                } catch {
                    if !Task.isCancelled { await probe.fail("\(error)") }
                }
                return nil
            }
            let result = try await body(probe)
            group.cancelAll()
            return result
        }
        return (result, probe)
    }

    /// Waits (at most `seconds`) until more than `count` pings have been answered, and says whether they were.
    /// Shows the probe's connection is still served at this moment, however slowly a loaded machine runs it.
    public func answers(beyond count: Int, withinSeconds seconds: Int = 10) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while pings <= count && failures.isEmpty && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return pings > count
    }

    private func record(_ elapsed: Duration, ok: Bool) {
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3
        slowestMilliseconds = max(slowestMilliseconds, milliseconds)
        pings += 1
        if !ok { failures.append("ping refused") }
    }

    private func fail(_ reason: String) { failures.append(reason) }
}
