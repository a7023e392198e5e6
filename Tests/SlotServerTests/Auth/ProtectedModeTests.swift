import Foundation
import Logging
import SlotServer
import SlotTesting
import Synchronization
import Testing

/// The default is Redis's protected mode: on loopback the quick start needs no token; on an address other machines
/// reach, authentication is required and slotd will not start without an admin token to authenticate with. These
/// build the runtime only (its check runs before anything listens), so no test binds beyond loopback.
@Suite struct ProtectedModeTests {
    static func configuration(host: String, auth: AuthMode) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = 0
        configuration.auth = auth
        configuration.dataDirectory = TestServer.temporaryDirectory()
        configuration.snapshotDirectory = configuration.dataDirectory.appendingPathComponent("snapshots")
        return configuration
    }

    @Test(arguments: [
        ("127.0.0.1", AuthMode.automatic, false), ("::1", .automatic, false),
        ("0.0.0.0", .automatic, true), ("192.0.2.7", .automatic, true), ("127.example.com", .automatic, true),
        ("::ffff:127.0.0.1", .automatic, false), ("127.0.0.1", .required, true),
        ("0.0.0.0", .off, false),
    ])
    func whetherAuthenticationIsRequired(host: String, auth: AuthMode, required: Bool) {
        #expect(Self.configuration(host: host, auth: auth).requiresAuthentication == required)
    }

    @Test func anExposedServerWithoutAnAdminTokenRefusesToStartAndSaysHow() throws {
        let configuration = Self.configuration(host: "0.0.0.0", auth: .automatic)
        defer { try? FileManager.default.removeItem(at: configuration.dataDirectory) }
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        do {
            _ = try SlotRuntime(configuration: configuration, logger: logger)
            Issue.record("slotd started on 0.0.0.0 without any admin token")
        } catch let refused as SlotRuntime.AuthenticationUnusable {
            #expect(refused.description.contains("slotctl token create --data-dir"), "\(refused)")
            #expect(refused.description.contains("--auth off"), "\(refused)")
        }
    }

    @Test func authenticationOffOnAnExposedAddressIsWarnedAboutAtStart() throws {
        let configuration = Self.configuration(host: "0.0.0.0", auth: .off)
        defer { try? FileManager.default.removeItem(at: configuration.dataDirectory) }
        let captured = CapturedLog()
        let logger = Logger(label: "test") { _ in captured }
        _ = try SlotRuntime(configuration: configuration, logger: logger)
        #expect(captured.lines.contains { $0.level == .warning && $0.message.contains("authentication is off") })
    }
}

/// Every line logged, kept for a test to read.
final class CapturedLog: LogHandler, @unchecked Sendable {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
    }

    private let storage = Mutex<[Line]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var lines: [Line] { storage.withLock { $0 } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        storage.withLock { $0.append(Line(level: event.level, message: event.message.description)) }
    }
}
