import Synchronization

/// Where one connection's reader stands when the server begins to shut down. From then on no new request is
/// taken: the one being decided (if any) is finished and answered, and the lines after it are read and dropped
/// unexecuted, so that the connection can close without unread input (see `ConnectionHandler.closeLingering`).
/// The reply queue is finished as soon as no request is being decided, so the writer knows when it has sent the
/// last reply it owes.
final class ShutdownGate: Sendable {
    private struct State {
        var stopping = false
        var deciding = false
    }

    private let state = Mutex(State())

    var isStopping: Bool { state.withLock { $0.stopping } }

    /// The reader is about to decide a line it has read; false once shutdown has begun (the line is dropped).
    func beginRequest() -> Bool {
        state.withLock { state in
            guard !state.stopping else { return false }
            state.deciding = true
            return true
        }
    }

    /// The reader has queued the reply to the line it took; if shutdown began meanwhile, that was the last one.
    func endRequest(finishing queue: ReplyQueue) {
        let last = state.withLock { state in
            state.deciding = false
            return state.stopping
        }
        if last { queue.finish() }
    }

    /// Shutdown begins. If no request is being decided, the queue holds every reply this connection will send.
    func stop(finishing queue: ReplyQueue) {
        let idle = state.withLock { state in
            state.stopping = true
            return !state.deciding
        }
        if idle { queue.finish() }
    }
}
