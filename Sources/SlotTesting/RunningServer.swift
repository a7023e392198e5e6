import SlotClient

/// A slotd accepting connections on 127.0.0.1: in this process (`TestServer`) or as a separate process started
/// from the built binary (`SlotdProcess`). Code that only talks the protocol is written once against this and runs
/// against either.
public protocol RunningServer: Sendable {
    /// The TCP port on 127.0.0.1.
    var port: Int { get }
}

extension RunningServer {
    /// Opens a connection, runs `body` with it, and closes it.
    public func connect<Result: Sendable>(_ body: (SlotConnection) async throws -> Result) async throws -> Result {
        try await SlotConnection.withConnection(port: port, body)
    }
}
