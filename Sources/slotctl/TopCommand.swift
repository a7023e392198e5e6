import ArgumentParser
import Foundation
import SlotClient
import SlotDomain
import SlotWire

/// `slotctl top`: the server's activity second by second, from the `monitor` op, until Ctrl-C or `--count`.
struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top", abstract: "Watch the server's requests, latency, journal and connections, each second.",
        discussion: """
            On a terminal, a screen redrawn every second: requests and errors per second, the busiest ops, p50 \
            and p99 latency, the journal's queue and commits, connections, and the last seconds as a table; \
            Ctrl-C ends it. Otherwise one row per second under a header, or with --json each second's sample as \
            the server sends it, one JSON object per line. Needs a token of role operator or admin on a server \
            that requires authentication. --timeout-seconds bounds each poll, not the whole run.
            """)

    @OptionGroup var server: ServerOptions

    @Flag(help: "Print each second's sample as one JSON line, as the monitor op returns it (no screen).")
    var json = false

    @Option(help: "Stop after this many seconds' samples (default: run until Ctrl-C).")
    var count: Int?

    @Option(help: "Seconds between polls; every second since the last poll is shown (1 to 60).")
    var intervalSeconds = 1

    /// Polls this far apart still get every second the server kept in between.
    static let intervalSecondsMax = 60

    func validate() throws {
        guard (count ?? 1) >= 1 else { throw ValidationError("--count must be at least 1") }
        guard (1...Self.intervalSecondsMax).contains(intervalSeconds) else {
            throw ValidationError("--interval-seconds must be between 1 and \(Self.intervalSecondsMax)")
        }
    }

    func run() async throws {
        let (count, interval, endpoint) = (count, intervalSeconds, server.endpoint)
        if json {
            try await watch(count: count, interval: interval) { samples, _ in
                for sample in samples { emit(Self.jsonLine(sample)) }
            }
        } else if Terminal.isTerminal(STDOUT_FILENO) {
            try await Terminal.withFullScreen { screen in
                screen.draw(TopScreen.screen([], endpoint: endpoint))
                try await watch(count: count, interval: interval) { _, history in
                    screen.draw(TopScreen.screen(history, endpoint: endpoint))
                }
            }
        } else {
            emit(TopScreen.headerText)
            try await watch(count: count, interval: interval) { samples, _ in
                for sample in samples { emit(TopScreen.rowText(sample)) }
            }
        }
    }

    /// Polls `monitor` every `interval` seconds and hands `show` the seconds not seen before (and the history the
    /// screen keeps), until `count` seconds have been shown.
    private func watch(
        count: Int?, interval: Int, show: @escaping @Sendable (_ new: [LiveSample], _ history: [LiveSample]) -> Void
    ) async throws {
        try await ServerSession.run(server, deadline: .eachCall) { session in
            var poller = SamplePoller()
            var history: [LiveSample] = []
            var shown = 0
            while count.map({ shown < $0 }) ?? true {
                let reply = try await session.call(["op": "monitor", "seconds": .number(Double(poller.secondsToAsk()))])
                guard let samples = reply["samples"]?.array?.map(LiveSample.init(json:)), !samples.contains(nil)
                else {
                    throw SlotctlFailure.unreachable(
                        endpoint: session.endpoint, reason: "the monitor reply is not a list of samples")
                }
                var new = poller.unseen(samples.compactMap { $0 })
                if let count { new = Array(new.prefix(count - shown)) }
                shown += new.count
                history = Array((history + new).suffix(TopScreen.historySeconds))
                if !new.isEmpty { show(new, history) }
                if count.map({ shown >= $0 }) ?? false { break }
                try await session.idle(seconds: Double(interval))
            }
        }
    }

    /// The sample as the server wrote it: written again by the same encoder, so the text is the same.
    static func jsonLine(_ sample: LiveSample) -> String {
        var writer = JSONWriter()
        sample.write(to: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

/// Which seconds to ask `monitor` for, and which of its samples are new: the server keeps closing seconds while
/// slotctl waits, so each poll asks for the time since the last one (and a second more, for a poll that came
/// early), and shows only samples later than the last shown (`at` names each second once).
struct SamplePoller {
    private var lastShown: Instant?
    private var lastPoll: ContinuousClock.Instant?

    /// The first poll asks for the newest second only: `top` starts from now, not from the past quarter hour.
    mutating func secondsToAsk(now: ContinuousClock.Instant = .now) -> Int {
        defer { lastPoll = now }
        guard let lastPoll, lastShown != nil else { return 1 }
        let elapsed = now - lastPoll
        let seconds = Int(elapsed.components.seconds) + (elapsed.components.attoseconds > 0 ? 1 : 0)
        return min(max(seconds + 1, 1), LiveSample.secondsKept)
    }

    /// The samples later than the last shown, oldest first, noted as shown.
    mutating func unseen(_ samples: [LiveSample]) -> [LiveSample] {
        let new = samples.filter { sample in lastShown.map { sample.at > $0 } ?? true }
        if let newest = new.last?.at { lastShown = newest }
        return new
    }
}
