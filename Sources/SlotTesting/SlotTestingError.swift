import Foundation

/// Why the kit could not give a test what it asked for. Thrown, never recorded as a test issue: the kit is also
/// used by the benchmarks, which have no test framework.
public enum SlotTestingError: Error, CustomStringConvertible {
    /// No built executable `name` in any of `searched`.
    case executableNotFound(name: String, searched: [URL])
    /// The server ended, or never said which port it listens on; `exitStatus` if the process had ended.
    case notListening(exitStatus: Int32?)
    /// `command` was still running after `seconds`, and was stopped.
    case timedOut(command: String, seconds: Int)
    /// `posix_spawn` of `path` failed with `errno`.
    case spawnFailed(String, errno: Int32)
    /// A system program the kit runs (`openssl`) ended with `status`, saying `stderr`.
    case commandFailed(command: String, status: Int32, stderr: String)

    public var description: String {
        switch self {
        case .executableNotFound(let name, let searched):
            return "no executable \(name) in \(searched.map(\.path)); build it (`swift build --product \(name)`) "
                + "or name it in \(PackageExecutable.environmentVariable(name))"
        case .notListening(let exitStatus):
            return "the server did not start listening" + (exitStatus.map { " (exit status \($0))" } ?? "")
        case .timedOut(let command, let seconds):
            return "\(command) did not finish within \(seconds) s"
        case .spawnFailed(let path, let errno):
            return "cannot start \(path): \(String(cString: strerror(errno)))"
        case .commandFailed(let command, let status, let stderr):
            return "\(command) failed (exit status \(status)): \(stderr.prefix(500))"
        }
    }
}
