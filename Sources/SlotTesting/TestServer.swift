import Foundation
import Logging
import SlotClient
import SlotDomain
import SlotServer

/// Runs a real slotd (all services, real TCP on 127.0.0.1, port 0) inside the calling process, and shuts it down
/// gracefully when the body returns or throws. Its clock is a `ManualClock` unless the caller passes another, so
/// hold expiry is driven without sleeping.
public struct TestServer: RunningServer {
    /// The port the listener was given by the system.
    public let port: Int
    /// The HTTP side port's, on 127.0.0.1; nil when the configuration turned it off.
    public let httpPort: Int?
    /// The assembled server: its journal, directory and snapshots, for what a test checks without the protocol.
    public let runtime: SlotRuntime
    public let dataDirectory: URL

    /// 2027-01-04T08:00:00Z, a Monday: the manual clock's default start.
    public static let epoch = Instant(secondsSinceEpoch: 1_799_049_600)

    /// A folder name under the system's temporary folder, not yet created; the server creates it.
    public static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("slotd-test-\(UUID().uuidString)")
    }

    /// A configuration with some settings changed, for `run(configuration:)`.
    public static func configuration(_ modify: (inout ServerConfiguration) -> Void) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        modify(&configuration)
        return configuration
    }

    /// Starts the server on `dataDirectory` (a new temporary folder if nil), runs `body` with it, then shuts it
    /// down and waits for every service to end. The ports are always 0 (the HTTP port stays off if the
    /// configuration turned it off), and the snapshot folder, unless
    /// `configuration` names one, is `snapshots` inside the data folder, so parallel tests never share files.
    public static func run<Result: Sendable>(
        dataDirectory: URL? = nil, clock: any WallClock = ManualClock(epoch),
        configuration: ServerConfiguration = ServerConfiguration(), _ body: (TestServer) async throws -> Result
    ) async throws -> Result {
        var configuration = configuration
        configuration.port = 0
        if configuration.http.port != nil { configuration.http.port = 0 }
        configuration.dataDirectory = dataDirectory ?? temporaryDirectory()
        if configuration.snapshotDirectory == ServerConfiguration().snapshotDirectory {
            configuration.snapshotDirectory = configuration.dataDirectory.appendingPathComponent("snapshots")
        }
        let logger = Logger(label: "slotd-test") { _ in SwiftLogNoOpLogHandler() }
        let (ports, portContinuation) = AsyncStream<TCPServerService.ListeningAddress>.makeStream()
        let runtime = try SlotRuntime(configuration: configuration, clock: clock, logger: logger) {
            portContinuation.yield($0)
        }
        let group = runtime.makeServiceGroup(logger: logger, signals: [])
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let address = await iterator.next() else {
                throw SlotTestingError.notListening(exitStatus: nil)
            }
            let server = TestServer(
                port: address.port, httpPort: address.httpPort, runtime: runtime,
                dataDirectory: configuration.dataDirectory)
            do {
                let result = try await body(server)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
