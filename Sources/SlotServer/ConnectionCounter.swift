import Synchronization

/// Open client connections, shared by the listener (which admits or refuses) and `stats`.
final class ConnectionCounter: Sendable {
    private let open = Mutex(0)

    /// Counts one more connection unless `limit` are open already.
    func admit(limit: Int) -> Bool {
        open.withLock { open in
            guard open < limit else { return false }
            open += 1
            return true
        }
    }

    func release() {
        open.withLock { $0 -= 1 }
    }

    var current: Int { open.withLock { $0 } }
}
