import ArgumentParser
import Foundation
import SlotClient
import SlotDomain
import SlotToolOptions

/// `slotload`: a load generator that also checks the result, in the spirit of redis-benchmark.
///
/// It creates its own resources, drives a running slotd with one scenario's traffic over `-c` connections with
/// `-P` lines in flight each (each line one request, or a `batch` of `--batch` of them), prints one progress line
/// a second, and at the end reads every booking and group back from the server to judge the run: no instant over
/// capacity, nothing acknowledged lost, nothing unacknowledged present, no group partly in one state and partly in
/// another. Exit status 1 when the verdict is `fail`. SIGINT or SIGTERM ends the traffic early and the check still
/// runs (`TrafficInterruption`).
@main
struct Slotload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slotload", abstract: "Load generator and correctness check for slotd.",
        discussion: "Scenarios: \(Scenario.allCases.map(\.rawValue).joined(separator: ", ")). See docs/PERFORMANCE.md.")

    @Option(help: "Server address.") var host = "127.0.0.1"
    @Option(help: "Server port.") var port = 7420
    @Option(name: [.customShort("c"), .long], help: "Concurrent connections (flash-sale: 1000 by default).")
    var connections: Int?
    @Option(name: [.customShort("P"), .long], help: "Lines in flight per connection.") var pipeline = 1
    @Option(help: "Requests per line: above 1, each line is a non-atomic batch of this many (at most 100).")
    var batch = 1
    @Option(name: [.customShort("n"), .long], help: "Requests in all (unless --duration-seconds is given).")
    var requests = 100_000
    @Option(help: "Run for this long instead of a request count.") var durationSeconds: Int?
    @Option(help: "Resources to create (flash-sale always uses one).") var resources = 1_000
    @Option(help: "Capacity of each resource (flash-sale: 100 by default).") var capacity: Int?
    @Option(help: "Slot length in minutes.") var slotMinutes = 15
    @Option(help: "Buffer before each booking, in minutes.") var bufferBeforeMinutes = 0
    @Option(help: "Buffer after each booking, in minutes.") var bufferAfterMinutes = 0
    @Option(help: "Hold time to live of the created resources, in seconds (mixed lets some holds lapse).")
    var holdTTLSeconds = 20
    @Option(help: "Days from tomorrow (UTC) over which bookings are spread.") var days = 30
    @Option(help: "Traffic mix.") var scenario: Scenario = .uniform
    @Option(help: "Seed of the random choices (same seed, same requests).") var seed: UInt64 = 1
    @Option(help: "Write the JSON report to this file.") var json: String?
    @Option(help: "Write the HTML report (charts, no network needed) to this file.") var html: String?
    @Option(
        help: """
            Connections that subscribe to every resource's events before the load and follow them through it; the \
            verdict checks that each saw every change of the run's bookings once, in order.
            """)
    var subscribers = 0
    @OptionGroup var connection: ConnectionOptions

    var effectiveConnections: Int { connections ?? (scenario == .flashSale ? 1_000 : 64) }
    var effectiveCapacity: Int { capacity ?? (scenario == .flashSale ? 100 : 1) }
    /// The server's `batch_operations_max` (its default): a longer batch is refused whole.
    static var batchOperationsMax: Int { DomainLimits().batchOperationsMax }

    func validate() throws {
        guard effectiveConnections > 0, pipeline > 0, requests > 0, resources > 0, effectiveCapacity > 0, days > 0
        else { throw ValidationError("-c, -P, -n, --resources, --capacity and --days must be positive") }
        guard (1...Self.batchOperationsMax).contains(batch) else {
            throw ValidationError("--batch must be between 1 and \(Self.batchOperationsMax)")
        }
        guard subscribers >= 0 else { throw ValidationError("--subscribers must not be negative") }
        guard (durationSeconds ?? 1) > 0 else { throw ValidationError("--duration-seconds must be positive") }
        guard 1_440 % slotMinutes == 0 else { throw ValidationError("--slot-minutes must divide 1440") }
    }

    func run() async throws {
        let interruption = TrafficInterruption()
        let signalSources = interruption.install()
        defer { for source in signalSources { source.cancel() } }
        let runID = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let resourceCount = scenario == .flashSale ? 1 : resources
        let plan = Plan(
            scenario: scenario, resources: (0..<resourceCount).map { "load-\(runID)-\($0)" },
            firstDaySeconds: (Int64(Date().timeIntervalSince1970) / 86_400 + 1) * 86_400, days: days,
            slotSeconds: Int64(slotMinutes) * 60, hotCount: max(1, resourceCount / 100),
            connections: effectiveConnections,
            slotOrder: SlotPermutation(count: resourceCount * days * (1_440 / slotMinutes), seed: seed))
        let endpoint = try connection.endpoint(host: host, port: port)
        try await createResources(plan, endpoint: endpoint)
        let following: Subscribers? =
            if subscribers > 0 {
                try await Subscribers.connect(count: subscribers, plan: plan, endpoint: endpoint)
            } else { nil }
        let journalBefore = try await JournalPosition.read(endpoint)
        let recorder = Recorder()
        let connecting = ContinuousClock.now
        let channels = await LoadChannels.connect(
            workers(plan, interruption: interruption), endpoint: endpoint, recorder: recorder)
        interruption.trafficStarts()
        let started = ContinuousClock.now
        let results = await drive(channels, recorder: recorder, started: started)
        let elapsed = ContinuousClock.now - started
        recorder.finish()
        let interruptedBy = interruption.trafficEnded()
        let journalAfter = try? await JournalPosition.read(endpoint)
        let ledger = results.flatMap(\.ledger)
        let groups = results.flatMap(\.groups)
        let transportErrors = results.compactMap(\.transportError)
        if let first = transportErrors.first {
            // Said before the verdict, which needs the server too and may not get that far.
            let line =
                "slotload: \(transportErrors.count) of \(results.count) connections failed; the first: \(first)\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
        let verifier = Verifier(
            plan: plan, endpoint: endpoint, capacity: effectiveCapacity,
            bufferBeforeSeconds: Int64(bufferBeforeMinutes) * 60, bufferAfterSeconds: Int64(bufferAfterMinutes) * 60)
        let verdict = try await verifier.verify(ledger, groups: groups, hadTransportErrors: !transportErrors.isEmpty)
        var reasons = verdict.reasons
        let judgement = try await following?.judge(
            bookings: Set(verdict.listed + ledger.map { BookingRef(resource: $0.resource, sequence: $0.sequence) }),
            plan: plan, endpoint: endpoint)
        reasons += judgement?.reasons ?? []
        reasons += transportErrors.prefix(5).map { "transport error: \($0)" }
        if scenario == .flashSale {
            reasons += flashSaleReasons(ledger, plan: plan, interrupted: interruptedBy != nil)
        }
        let report = Report(
            settings: self, runID: runID, plan: plan, recorder: recorder,
            durationSeconds: elapsed.seconds, connectSeconds: (started - connecting).seconds,
            verdictReasons: reasons, checkedBookings: verdict.checkedBookings, checkedGroups: verdict.checkedGroups,
            subscribers: judgement?.summaries ?? [], interruptedBy: interruptedBy,
            journal: journalAfter.map { JournalActivity(from: journalBefore, to: $0) })
        FileHandle.standardOutput.write(Data(report.summaryText().utf8))
        if let json { try report.jsonData().write(to: URL(fileURLWithPath: json)) }
        if let html { try Data(HTMLReport.render(report).utf8).write(to: URL(fileURLWithPath: html)) }
        if !reasons.isEmpty { throw ExitCode(1) }
    }

    /// Every round of a flash sale (one slot each) must have exactly as many winners as there are places. A run
    /// ended early by a signal left its connections at different rounds (they do not wait for one another), so then
    /// a round only must not have more winners than places.
    private func flashSaleReasons(_ ledger: [LedgerEntry], plan: Plan, interrupted: Bool) -> [String] {
        let winnersPerSlot = Dictionary(grouping: ledger, by: \.start).mapValues(\.count)
        let rounds = (requests + effectiveConnections - 1) / effectiveConnections
        let expected = min(effectiveCapacity, effectiveConnections)
        return (0..<rounds).compactMap { round in
            let start = plan.slotStart(round)
            let winners = winnersPerSlot[start] ?? 0
            if interrupted {
                return winners <= expected ? nil : "flash-sale round \(round): \(winners) winners, at most \(expected)"
            }
            return winners == expected ? nil : "flash-sale round \(round): \(winners) winners, expected \(expected)"
        }
    }

    private func createResources(_ plan: Plan, endpoint: SlotEndpoint) async throws {
        try await SlotConnection.withConnection(to: endpoint) { client in
            for chunk in stride(from: 0, to: plan.resources.count, by: 512) {
                let names = plan.resources[chunk..<min(plan.resources.count, chunk + 512)]
                let replies = try await client.pipeline(
                    names.map { name in
                        [
                            "op": "create_resource", "resource": .string(name), "tz": "UTC",
                            "slot_minutes": .number(Double(slotMinutes)),
                            "capacity": .number(Double(effectiveCapacity)),
                            "buffer_before_minutes": .number(Double(bufferBeforeMinutes)),
                            "buffer_after_minutes": .number(Double(bufferAfterMinutes)),
                            "hold_ttl_seconds": .number(Double(holdTTLSeconds)),
                            "horizon_days": .number(Double(days + 2)),
                        ]
                    })
                if let refused = replies.first(where: { !$0.ok }) {
                    throw VerificationFailed("create_resource failed: \(refused)")
                }
            }
        }
    }

    /// One worker per connection, each with its share of the requests (all of them for a timed run).
    private func workers(_ plan: Plan, interruption: TrafficInterruption) -> [LoadWorker] {
        let count = effectiveConnections
        let perConnection =
            scenario == .flashSale || durationSeconds == nil ? (requests + count - 1) / count : Int.max
        return (0..<count).map { index in
            LoadWorker(
                index: index, plan: plan, pipeline: scenario == .flashSale ? 1 : pipeline, batchSize: batch,
                requests: perConnection, seed: seed, interruption: interruption)
        }
    }

    /// Starts every open connection and a progress line a second; returns when all connections are done.
    private func drive(_ channels: LoadChannels, recorder: Recorder, started: ContinuousClock.Instant) async
        -> [LoadTraffic.Result]
    {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await Progress.report(recorder, started: started) }
            let results = await channels.run(deadline: durationSeconds.map { started + .seconds($0) })
            group.cancelAll()
            return results
        }
    }
}

extension Scenario: ExpressibleByArgument {}

/// One line a second on stderr while the run lasts: elapsed, requests/s, p99 so far, errors.
enum Progress {
    static func report(_ recorder: Recorder, started: ContinuousClock.Instant) async {
        var second = 0
        while !Task.isCancelled {
            second += 1
            do { try await Task.sleep(until: started + .seconds(second)) } catch { break }
            let (summary, p99, refused, errors) = recorder.closeSecond(elapsedSeconds: second)
            let line =
                "elapsed \(second)s  requests/s \(summary.requests)  bookings/s \(summary.bookings)  "
                + "p99 so far \(String(format: "%.2f", p99)) ms  refused \(refused)  errors \(errors)\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
