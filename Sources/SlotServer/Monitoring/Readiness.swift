import Synchronization

/// Whether the server takes requests, for `GET /ready`: not until recovery has finished and the TCP port listens,
/// not once graceful shutdown has begun. The journal's own state is checked on each probe (`ReadinessProbe`).
final class Readiness: Sendable {
    enum Phase: UInt8 {
        case starting
        case serving
        case shuttingDown
    }

    private let phase = Atomic<UInt8>(Phase.starting.rawValue)

    var current: Phase { Phase(rawValue: phase.load(ordering: .acquiring)) ?? .starting }

    /// The listeners are bound. Never undoes a shutdown already begun.
    func serving() {
        _ = phase.compareExchange(
            expected: Phase.starting.rawValue, desired: Phase.serving.rawValue, ordering: .acquiringAndReleasing)
    }

    func shuttingDown() { phase.store(Phase.shuttingDown.rawValue, ordering: .releasing) }
}
