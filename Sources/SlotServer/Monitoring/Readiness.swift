import Synchronization

/// Whether the server takes requests, for `GET /ready`: not while the journal replays, not until the TCP port
/// listens, not once graceful shutdown has begun. The journal's own state is checked on each probe
/// (`HTTPRoutes.ready`).
final class Readiness: Sendable {
    enum Phase: UInt8 {
        /// `slotd` listens on the HTTP port while recovery runs (`SlotStartup`).
        case replaying
        /// Recovered; the TCP port does not listen yet.
        case starting
        case serving
        case shuttingDown
    }

    private let phase: Atomic<UInt8>

    init(_ phase: Phase = .starting) {
        self.phase = Atomic(phase.rawValue)
    }

    var current: Phase { Phase(rawValue: phase.load(ordering: .acquiring)) ?? .starting }

    /// Recovery has finished. Never undoes a shutdown already begun.
    func recovered() {
        _ = phase.compareExchange(
            expected: Phase.replaying.rawValue, desired: Phase.starting.rawValue, ordering: .acquiringAndReleasing)
    }

    /// The listeners are bound. Never undoes a shutdown already begun.
    func serving() {
        _ = phase.compareExchange(
            expected: Phase.starting.rawValue, desired: Phase.serving.rawValue, ordering: .acquiringAndReleasing)
    }

    func shuttingDown() { phase.store(Phase.shuttingDown.rawValue, ordering: .releasing) }
}
