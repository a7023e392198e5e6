import ArgumentParser
import Foundation
import SlotClient

/// Why slotctl stopped. Each kind has its own exit status (documented in `slotctl --help` and
/// docs/OPERATIONS.md), so a script can tell a refusal from an unreachable server from an unreadable file.
enum SlotctlFailure: Error, Equatable {
    /// The server answered `"ok": false`.
    case refused(op: String, code: String, message: String)
    /// An offline change to a data folder was refused (the folder is in use, a token name is taken).
    case refusedOffline(String)
    /// An offline check found damage (a bad journal record, a damaged snapshot file).
    case damaged(String)
    /// No conversation with the server: nothing listening, the connection broke, or no reply in time.
    case unreachable(endpoint: String, reason: String)
    /// A file or folder could not be read at all (missing, not permitted, not a journal).
    case unreadable(String)

    static let refusedOrDamagedStatus: Int32 = 1
    static let unreachableStatus: Int32 = 2
    static let unreadableStatus: Int32 = 3

    var exitCode: ExitCode {
        switch self {
        case .refused, .refusedOffline, .damaged: ExitCode(Self.refusedOrDamagedStatus)
        case .unreachable: ExitCode(Self.unreachableStatus)
        case .unreadable: ExitCode(Self.unreadableStatus)
        }
    }

    /// One line for stderr, after `Error: `.
    var message: String {
        switch self {
        case .refused(let op, let code, let message): "the server refused \(op): \(code): \(message)"
        case .refusedOffline(let reason), .damaged(let reason): reason
        case .unreachable(let endpoint, let reason): "cannot talk to slotd at \(endpoint): \(reason)"
        case .unreadable(let reason): reason
        }
    }

    /// Why a connection could not be made, in the system's words ("Connection refused").
    static func connectReason(_ error: any Error) -> String {
        guard case SlotClientError.cannotConnect(_, _, let reason) = error else {
            return String("\(error)".prefix(300))
        }
        return reason == String(cString: strerror(ECONNREFUSED)) ? "\(reason) (is slotd running there?)" : reason
    }
}
