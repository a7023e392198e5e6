import Foundation
import SlotClient

/// One of the package's own executables (`slotctl`, `slotload`), run to completion as a subprocess, as an operator
/// would run it.
public enum ToolProcess {
    /// A finished run: its exit status and everything it printed.
    public struct Run: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String

        /// The value of a `label  value` line of text output.
        public func field(_ label: String) -> String? {
            for line in stdout.split(separator: "\n") where line.hasPrefix(label + "  ") {
                return line.dropFirst(label.count).trimmingCharacters(in: .whitespaces)
            }
            return nil
        }

        /// The table row that starts with `id` (followed by column spacing).
        public func row(_ id: String) -> String? {
            stdout.split(separator: "\n").first { $0.hasPrefix(id + " ") }.map(String.init)
        }

        /// The output parsed as one JSON value (a `--json` run).
        public func json() throws -> JSONValue { try JSONValue.parse(stdout) }
    }

    /// Runs `name` (found by `PackageExecutable`) to completion, with its output captured in files so no pipe
    /// can fill up. Throws `SlotTestingError.timedOut` if it was still running after `timeoutSeconds`.
    public static func run(_ name: String, _ arguments: [String], timeoutSeconds: Int = 20) async throws -> Run {
        try await run(
            executable: try PackageExecutable.url(name), named: name, arguments, timeoutSeconds: timeoutSeconds)
    }

    /// Runs a program of the system (`openssl`, `python3`), found on `PATH`, to completion, as `run` does.
    public static func runSystem(_ name: String, _ arguments: [String], timeoutSeconds: Int = 20) async throws -> Run {
        try await run(executable: try systemExecutable(name), named: name, arguments, timeoutSeconds: timeoutSeconds)
    }

    /// Where a program of the system is, the first on `PATH`.
    public static func systemExecutable(_ name: String) throws -> URL {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        let candidates = directories.map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
        guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) })
        else { throw SlotTestingError.executableNotFound(name: name, searched: candidates) }
        return executable
    }

    /// Starts `name` (found by `PackageExecutable`), for a test that acts on it while it runs (signals it) before
    /// it waits for its end with `Running.finish`.
    public static func start(_ name: String, _ arguments: [String]) throws -> Running {
        try Running(executable: try PackageExecutable.url(name), named: name, arguments)
    }

    private static func run(executable: URL, named name: String, _ arguments: [String], timeoutSeconds: Int)
        async throws -> Run
    {
        try await Running(executable: executable, named: name, arguments).finish(timeoutSeconds: timeoutSeconds)
    }

    /// A tool started and not yet waited for, its output captured in files so no pipe can fill up. One that is
    /// never finished is killed when it is released (`ChildProcess`).
    public final class Running: Sendable {
        private let process: ChildProcess
        private let command: String
        private let folder = TestServer.temporaryDirectory()
        private var stdoutURL: URL { folder.appendingPathComponent("stdout") }
        private var stderrURL: URL { folder.appendingPathComponent("stderr") }

        fileprivate init(executable: URL, named name: String, _ arguments: [String]) throws {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for url in [folder.appendingPathComponent("stdout"), folder.appendingPathComponent("stderr")] {
                _ = FileManager.default.createFile(atPath: url.path, contents: nil)
            }
            command = ([name] + arguments).joined(separator: " ")
            process = try ChildProcess(
                executable: executable, arguments: arguments, stdout: folder.appendingPathComponent("stdout"),
                stderr: folder.appendingPathComponent("stderr"))
        }

        deinit { try? FileManager.default.removeItem(at: folder) }

        public var isRunning: Bool { process.isRunning }

        /// Sends `signal` (SIGINT, as Ctrl-C would) to the tool, unless it has ended (its process id may be reused).
        public func signal(_ signal: Int32) {
            if process.isRunning { kill(process.processIdentifier, signal) }
        }

        /// What it printed so far on stderr.
        public func stderrSoFar() -> String {
            (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
        }

        /// Waits for the tool to end and returns its run. Throws `SlotTestingError.timedOut` if it was still
        /// running after `timeoutSeconds`.
        public func finish(timeoutSeconds: Int) async throws -> Run {
            for _ in 0..<(timeoutSeconds * 50) where process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning {
                // SIGKILL, not SIGTERM: python3 started from the test process did not end on SIGTERM (a signal the
                // parent ignores stays ignored across exec, and a child that installs no handler of its own keeps
                // it).
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw SlotTestingError.timedOut(command: command, seconds: timeoutSeconds)
            }
            return Run(
                status: process.terminationStatus, stdout: try String(contentsOf: stdoutURL, encoding: .utf8),
                stderr: try String(contentsOf: stderrURL, encoding: .utf8))
        }
    }
}
