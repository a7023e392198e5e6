import Foundation
import Logging
import SlotClient
import SlotDomain
import SlotServer
import Testing

/// Runs a real slotd (all services, real TCP on 127.0.0.1, port 0) inside the test, and shuts it down
/// gracefully when the body returns or throws.
struct TestServer {
    let port: Int
    let runtime: SlotRuntime
    let dataDirectory: URL

    /// 2027-01-04T08:00:00Z, a Monday: the manual clock's default start.
    static let epoch = Instant(secondsSinceEpoch: 1_799_049_600)

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("slotd-test-\(UUID().uuidString)")
    }

    /// A configuration with some settings changed, for `run(configuration:)`.
    static func configuration(_ modify: (inout ServerConfiguration) -> Void) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        modify(&configuration)
        return configuration
    }

    static func run<Result: Sendable>(
        dataDirectory: URL? = nil, clock: any WallClock = ManualClock(epoch),
        configuration: ServerConfiguration = ServerConfiguration(), _ body: (TestServer) async throws -> Result
    ) async throws -> Result {
        var configuration = configuration
        configuration.port = 0
        configuration.dataDirectory = dataDirectory ?? temporaryDirectory()
        if configuration.snapshotDirectory == ServerConfiguration().snapshotDirectory {
            configuration.snapshotDirectory = configuration.dataDirectory.appendingPathComponent("snapshots")
        }
        let logger = Logger(label: "slotd-test") { _ in SwiftLogNoOpLogHandler() }
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let runtime = try SlotRuntime(configuration: configuration, clock: clock, logger: logger) {
            portContinuation.yield($0.port)
        }
        let group = runtime.makeServiceGroup(logger: logger, signals: [])
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw SlotClientError.connectionClosed }
            let server = TestServer(port: port, runtime: runtime, dataDirectory: configuration.dataDirectory)
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

    func connect<Result: Sendable>(_ body: (SlotConnection) async throws -> Result) async throws -> Result {
        try await SlotConnection.withConnection(port: port, body)
    }
}

/// Request builders with the fields most tests share.
enum Requests {
    static func createResource(_ id: String, tz: String = "UTC", extra: [String: JSONValue] = [:]) -> JSONValue {
        var object: [String: JSONValue] = ["op": "create_resource", "resource": .string(id), "tz": .string(tz)]
        object.merge(extra) { _, new in new }
        return .object(object)
    }

    static func hold(
        _ resource: String, _ start: String, _ end: String, op: String = "hold", customer: String = "ann",
        extra: [String: JSONValue] = [:]
    ) -> JSONValue {
        var object: [String: JSONValue] = [
            "op": .string(op), "resource": .string(resource), "start": .string(start), "end": .string(end),
            "customer": .string(customer),
        ]
        object.merge(extra) { _, new in new }
        return .object(object)
    }

    static func move(_ op: String, _ booking: String, extra: [String: JSONValue] = [:]) -> JSONValue {
        var object: [String: JSONValue] = ["op": .string(op), "booking": .string(booking)]
        object.merge(extra) { _, new in new }
        return .object(object)
    }
}
