import Foundation
import Logging
import ServiceLifecycle
import SlotClient
import SlotServer

/// slotd without sockets: the runtime on a data folder (journal replayed, actors built), its journal writer
/// running, and requests handed straight to its dispatcher. For whole-server simulation in one process.
///
/// Only the journal writer runs: no listener, no hold-expiry sweeper, no snapshot timer. Those would act at moments
/// chosen by the real clock; here nothing changes but through `call`, so a run is fully determined by its requests
/// and the manual clock. A test sweeps (`ExpiryService.sweep(runtime.directory)`) and snapshots
/// (`runtime.snapshots.take(reason:)`) when it chooses; a restart is another `run` on the same folder.
public struct TestRuntime: Sendable {
    /// The assembled server: its directory, journal and snapshots, for what a test checks without the protocol.
    public let runtime: SlotRuntime
    public let dataDirectory: URL
    let decoder: RequestDecoder

    /// Builds the runtime on `dataDirectory` (a new temporary folder if nil; snapshots in its `snapshots` folder
    /// unless `configuration` names one), runs `body` with it, then stops the journal writer once everything
    /// appended is committed.
    public static func run<Result: Sendable>(
        dataDirectory: URL? = nil, clock: any WallClock = ManualClock(TestServer.epoch),
        configuration: ServerConfiguration = ServerConfiguration(), _ body: (TestRuntime) async throws -> Result
    ) async throws -> Result {
        var configuration = configuration
        configuration.dataDirectory = dataDirectory ?? TestServer.temporaryDirectory()
        if configuration.snapshotDirectory == ServerConfiguration().snapshotDirectory {
            configuration.snapshotDirectory = configuration.dataDirectory.appendingPathComponent("snapshots")
        }
        let logger = Logger(label: "slotd-test-runtime") { _ in SwiftLogNoOpLogHandler() }
        let runtime = try SlotRuntime(configuration: configuration, clock: clock, logger: logger)
        let writer = ServiceGroup(
            configuration: .init(
                services: runtime.services.filter { $0 is JournalService }.map { .init(service: $0) },
                gracefulShutdownSignals: [], logger: logger))
        let testRuntime = TestRuntime(
            runtime: runtime, dataDirectory: configuration.dataDirectory,
            decoder: RequestDecoder(limits: configuration.domainLimits))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await writer.run() }
            do {
                let result = try await body(testRuntime)
                await writer.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await writer.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    /// Sends one request and returns its reply, as a client would see it.
    public func call(_ request: JSONValue) async throws -> JSONValue {
        try JSONValue.parse(bytes: try await reply(to: Array(request.jsonText.utf8)))
    }

    /// The reply line (newline included) to one request line, made as a connection makes it: decoded,
    /// dispatched, and returned once the journal has committed what the request changed. A request that cannot be
    /// decoded gets its error reply, as on the wire.
    public func reply(to line: [UInt8]) async throws -> [UInt8] {
        switch decoder.decode(line) {
        case .failure(let failure):
            return ReplyEncoder.failure(id: failure.id, failure.error)
        case .success(let request):
            // Room in the journal's queue for what it may append, as a connection reserves it.
            let entries = request.operation.journalEntriesMax
            try await runtime.journal.admit(entries: entries)
            let outcome = await runtime.dispatcher.handle(request.operation)
            runtime.journal.release(entries: entries)
            try await runtime.journal.waitUntilDurable(outcome.awaitedSequence)
            switch outcome.reply {
            case .success(let body):
                let bytesMax = runtime.configuration.replyBytesMax
                return ReplyEncoder.success(id: request.id, body, zone: request.displayZone, bytesMax: bytesMax)
                    ?? ReplyEncoder.failure(id: request.id, .replyTooLarge(limitBytes: bytesMax))
            case .failure(let error):
                return ReplyEncoder.failure(id: request.id, error)
            }
        }
    }
}
