import ServiceLifecycle
import Synchronization

/// Waits for the TCP port and, when it is on, the HTTP port to listen, then marks the server ready and reports
/// both ports at once: the `listening` line on stdout is one line, and scripts read both ports from it.
final class ListeningReport: Sendable {
    private struct State {
        var tcp: TCPServerService.ListeningAddress?
        var httpPort: Int?
        var reported = false
    }

    private let httpOn: Bool
    private let readiness: Readiness
    private let onListening: @Sendable (TCPServerService.ListeningAddress) -> Void
    private let state = Mutex(State())

    init(
        httpOn: Bool, readiness: Readiness,
        then onListening: @escaping @Sendable (TCPServerService.ListeningAddress) -> Void
    ) {
        self.httpOn = httpOn
        self.readiness = readiness
        self.onListening = onListening
    }

    @Sendable func tcp(_ address: TCPServerService.ListeningAddress) {
        report { $0.tcp = address }
    }

    @Sendable func http(_ port: Int) {
        report { $0.httpPort = port }
    }

    private func report(_ update: (inout State) -> Void) {
        let complete = state.withLock { state -> TCPServerService.ListeningAddress? in
            update(&state)
            guard !state.reported, var address = state.tcp, !httpOn || state.httpPort != nil else { return nil }
            state.reported = true
            address.httpPort = state.httpPort
            return address
        }
        guard let complete else { return }
        readiness.serving()
        onListening(complete)
    }
}

/// Marks the server as shutting down for `/ready` as soon as a graceful shutdown begins: the service group tells
/// its services in reverse order, and this one is last in it.
struct ShutdownNotice: Service {
    let readiness: Readiness

    func run() async throws {
        try? await gracefulShutdown()
        readiness.shuttingDown()
    }
}
