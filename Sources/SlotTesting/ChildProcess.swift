import Foundation
import Synchronization

/// A child process started with `posix_spawn`, its output sent to files. The test kit starts many of them at once
/// (one `slotd` per parameterized case, killed and restarted), and Foundation's `Process.run()` on Linux reads past
/// a `dirent` while it lists `/proc/self/fd` (swift-corelibs-foundation PR 5472, not in Swift 6.3.1's Foundation),
/// which crashed the test run now and then. This does only what the tests need: start, signal, reap.
public final class ChildProcess: Sendable {
    public let processIdentifier: pid_t
    /// The exit status once reaped (`waitpid`), so that it is reaped exactly once.
    private let exit = Mutex<Int32?>(nil)

    /// Starts `executable` with `arguments`, stdin from /dev/null, stdout and stderr appended to the files given
    /// (or /dev/null). Throws `SlotTestingError.spawnFailed` with the errno when it cannot start.
    public init(executable: URL, arguments: [String], stdout: URL?, stderr: URL?) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout?.path ?? "/dev/null", O_WRONLY | O_APPEND | O_CREAT, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr?.path ?? "/dev/null", O_WRONLY | O_APPEND | O_CREAT, 0o644)
        // Nothing else of the test process goes with it: a copy of a test's socket in a child would keep that
        // connection open after the test closed it. (glibc 2.34 and later; Swift does not import the `_np` call.)
        guard let closeFrom = Self.addCloseFrom else { throw SlotTestingError.spawnFailed("closefrom", errno: ENOSYS) }
        _ = closeFrom(&actions, 3)
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, executable.path, &actions, nil, argv, environ)
        guard result == 0 else { throw SlotTestingError.spawnFailed(executable.path, errno: result) }
        processIdentifier = pid
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(
        UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np"
    ).map { unsafeBitCast($0, to: AddCloseFrom.self) }

    /// A test that forgets its child must not leave it running after the test run.
    deinit {
        if isRunning {
            kill(processIdentifier, SIGKILL)
            waitUntilExit()
        }
    }

    /// Whether the child has not ended yet (reaps it if it has).
    public var isRunning: Bool {
        exit.withLock { status in
            guard status == nil else { return false }
            var raw: Int32 = 0
            guard waitpid(processIdentifier, &raw, WNOHANG) == processIdentifier else { return true }
            status = Self.decode(raw)
            return false
        }
    }

    /// Blocks until the child has ended.
    public func waitUntilExit() {
        exit.withLock { status in
            guard status == nil else { return }
            var raw: Int32 = 0
            while waitpid(processIdentifier, &raw, 0) == -1 && errno == EINTR {}
            status = Self.decode(raw)
        }
    }

    /// The exit status, or 128 + the signal that ended it (as a shell shows it); call once it has ended.
    public var terminationStatus: Int32 {
        waitUntilExit()
        return exit.withLock { $0 ?? -1 }
    }

    /// SIGTERM.
    public func terminate() {
        kill(processIdentifier, SIGTERM)
    }

    /// The exit status once the child has ended by itself; nil if it was still running after `seconds`, and then
    /// it is killed (so a failing test leaves no process behind).
    public func exitStatus(withinSeconds seconds: Int) async throws -> Int32? {
        for _ in 0..<(seconds * 50) where isRunning { try await Task.sleep(for: .milliseconds(20)) }
        guard !isRunning else {
            kill(processIdentifier, SIGKILL)
            waitUntilExit()
            return nil
        }
        return terminationStatus
    }

    private static func decode(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }
}
