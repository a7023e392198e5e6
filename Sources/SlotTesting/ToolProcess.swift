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

    private static func run(executable: URL, named name: String, _ arguments: [String], timeoutSeconds: Int)
        async throws -> Run
    {
        let folder = TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (stdoutURL, stderrURL) = (folder.appendingPathComponent("stdout"), folder.appendingPathComponent("stderr"))
        for url in [stdoutURL, stderrURL] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        let process = try ChildProcess(
            executable: executable, arguments: arguments, stdout: stdoutURL, stderr: stderrURL)
        for _ in 0..<(timeoutSeconds * 50) where process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            // SIGKILL, not SIGTERM: python3 started from the test process did not end on SIGTERM (a signal the
            // parent ignores stays ignored across exec, and a child that installs no handler of its own keeps it).
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw SlotTestingError.timedOut(
                command: ([name] + arguments).joined(separator: " "), seconds: timeoutSeconds)
        }
        return Run(
            status: process.terminationStatus, stdout: try String(contentsOf: stdoutURL, encoding: .utf8),
            stderr: try String(contentsOf: stderrURL, encoding: .utf8))
    }
}
