import Synchronization

/// Open client connections, shared by the listener (which admits or refuses), the sweeper (which closes the idle,
/// the stuck and, over the memory budget, the furthest behind) and `stats`.
final class ConnectionCounter: Sendable {
    enum Admission: Equatable {
        case admitted
        /// `connectionsMax` are open.
        case serverFull
        /// `connectionsPerAddressMax` are open from this client address.
        case addressFull
    }

    private struct State {
        var open = 0
        var openByAddress: [String: Int] = [:]
        var active: [UInt64: ConnectionActivity] = [:]
    }

    private let state = Mutex(State())

    /// Counts one more connection from `address` unless `limit` are open already, or `perAddressLimit` from it.
    func admit(address: String, limit: Int, perAddressLimit: Int) -> Admission {
        state.withLock { state in
            guard state.open < limit else { return .serverFull }
            guard state.openByAddress[address, default: 0] < perAddressLimit else { return .addressFull }
            state.open += 1
            state.openByAddress[address, default: 0] += 1
            return .admitted
        }
    }

    func release(address: String) {
        state.withLock { state in
            state.open -= 1
            let remaining = state.openByAddress[address, default: 1] - 1
            state.openByAddress[address] = remaining > 0 ? remaining : nil
        }
    }

    /// Makes an admitted connection visible to the sweeper, until `unregister`.
    func register(_ id: UInt64, _ activity: ConnectionActivity) {
        state.withLock { $0.active[id] = activity }
    }

    func unregister(_ id: UInt64) {
        state.withLock { _ = $0.active.removeValue(forKey: id) }
    }

    /// The connections being served, for one sweep.
    var active: [(id: UInt64, activity: ConnectionActivity)] {
        state.withLock { $0.active.map { (id: $0.key, activity: $0.value) } }
    }

    var current: Int { state.withLock { $0.open } }
}
