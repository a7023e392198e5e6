import Foundation
import SlotClient
import Synchronization

/// One conversation with the server: a connection, requests whose refusals become `SlotctlFailure.refused`,
/// and one deadline for all of it, so slotctl never hangs on a server that accepts but does not answer.
final class ServerSession {
    private let connection: SlotConnection
    /// `host:port`, for messages.
    let endpoint: String
    private let deadline: SessionDeadline

    private init(connection: SlotConnection, endpoint: String, deadline: SessionDeadline) {
        self.connection = connection
        self.endpoint = endpoint
        self.deadline = deadline
    }

    /// Sends `request` and returns the reply when it is `"ok": true`.
    func call(_ request: JSONValue) async throws -> JSONValue {
        deadline.callStarts()
        let reply = try await connection.call(request)
        guard reply.ok else {
            throw SlotctlFailure.refused(
                op: request["op"]?.string ?? "the request", code: reply.errorCode ?? "unknown",
                message: reply["error"]?["message"]?.string ?? reply.jsonText)
        }
        return reply
    }

    /// Every page of a listing: sends `request` again with `after` set to the id of the previous page's last
    /// item for as long as the server says `truncated`. `pagesMax` bounds the loop should a server keep saying so.
    func collectPages(_ request: JSONValue, items key: String, pagesMax: Int = 100_000) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        var after: JSONValue?
        for _ in 0..<pagesMax {
            var page = request
            if case .object(var fields) = page, let after {
                fields["after"] = after
                page = .object(fields)
            }
            let reply = try await call(page)
            let pageItems = reply[key]?.array ?? []
            items += pageItems
            guard reply["truncated"] == true, let last = pageItems.last?["id"] else { return items }
            after = last
        }
        throw SlotctlFailure.unreachable(endpoint: endpoint, reason: "more than \(pagesMax) pages of \(key); giving up")
    }

    /// Connects, runs `body`, and closes the connection. Failures become `SlotctlFailure`s: refusals as they
    /// are, everything else as `unreachable` naming host:port.
    ///
    /// With `.eachCall`, the deadline covers the connection and then each call on its own, so that a session
    /// polling until it is stopped (`slotctl top`) may last as long as it likes; `idle(seconds:)` is its wait.
    static func run<Result: Sendable>(
        _ options: ServerOptions, deadline kind: SessionDeadline.Kind = .wholeSession,
        _ body: @escaping @Sendable (ServerSession) async throws -> Result
    ) async throws -> Result {
        let endpoint = options.endpoint
        let slotEndpoint: SlotEndpoint
        do { slotEndpoint = try options.slotEndpoint() } catch { throw SlotctlFailure.unreadable("\(error)") }
        let timeoutSeconds = options.timeoutSeconds
        let deadline = SessionDeadline(kind, seconds: timeoutSeconds)
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                var connected = false
                do {
                    return try await SlotConnection.withConnection(to: slotEndpoint) { connection in
                        connected = true
                        return try await body(
                            ServerSession(connection: connection, endpoint: endpoint, deadline: deadline))
                    }
                } catch let failure as SlotctlFailure {
                    throw failure
                } catch SlotClientError.authenticationRefused(let code, let message) {
                    throw SlotctlFailure.refused(op: "auth", code: code, message: message)
                } catch {
                    let reason = connected ? "\(error)" : SlotctlFailure.connectReason(error)
                    throw SlotctlFailure.unreachable(endpoint: endpoint, reason: reason)
                }
            }
            group.addTask {
                try await deadline.passes()
                return nil
            }
            // Whichever ends first wins; the other is cancelled (a pending read ends on cancellation).
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw SlotctlFailure.unreachable(endpoint: endpoint, reason: "no reply within \(timeoutSeconds) s")
            }
            return result
        }
    }
}

extension ServerSession {
    /// Waits `seconds` between calls without the wait counting against the deadline of a `.eachCall` session.
    func idle(seconds: Double) async throws {
        deadline.pause(seconds: seconds)
        try await Task.sleep(for: .seconds(seconds))
    }
}

/// When a session has taken too long: `timeoutSeconds` after it started (`.wholeSession`), or after the start of its
/// current call or wait (`.eachCall`). `passes()` returns at that moment, however often it moves.
final class SessionDeadline: Sendable {
    enum Kind {
        case wholeSession
        case eachCall
    }

    private let kind: Kind
    private let seconds: Int
    private let due: Mutex<ContinuousClock.Instant>

    init(_ kind: Kind, seconds: Int) {
        self.kind = kind
        self.seconds = seconds
        due = Mutex(.now + .seconds(seconds))
    }

    func callStarts() {
        guard kind == .eachCall else { return }
        due.withLock { $0 = .now + .seconds(seconds) }
    }

    func pause(seconds pause: Double) {
        guard kind == .eachCall else { return }
        due.withLock { $0 = .now + .seconds(pause) + .seconds(seconds) }
    }

    /// Returns once the deadline has passed; throws `CancellationError` when cancelled first.
    func passes() async throws {
        while true {
            let due = due.withLock { $0 }
            guard ContinuousClock.now < due else { return }
            try await Task.sleep(until: due, clock: .continuous)
        }
    }
}
