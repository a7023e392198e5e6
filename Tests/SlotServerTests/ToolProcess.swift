import Foundation
import SlotClient
import Testing

/// One of the package's own executables (`slotctl`, `slotload`), run to completion as a subprocess, as an operator
/// would run it.
enum ToolProcess {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String

        /// The value of a `label  value` line of text output.
        func field(_ label: String) -> String? {
            for line in stdout.split(separator: "\n") where line.hasPrefix(label + "  ") {
                return line.dropFirst(label.count).trimmingCharacters(in: .whitespaces)
            }
            return nil
        }

        /// The table row that starts with `id` (followed by column spacing).
        func row(_ id: String) -> String? {
            stdout.split(separator: "\n").first { $0.hasPrefix(id + " ") }.map(String.init)
        }

        func json() throws -> JSONValue { try JSONValue.parse(stdout) }
    }

    /// The executable built next to this test bundle, or the one named by `<NAME>_BINARY` (e.g. `SLOTCTL_BINARY`).
    static func binary(_ name: String) -> URL {
        if let path = ProcessInfo.processInfo.environment[name.uppercased() + "_BINARY"] {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Runs `name` to completion (at most `timeoutSeconds`), with its output captured in files so no pipe can
    /// fill up.
    static func run(_ name: String, _ arguments: [String], timeoutSeconds: Int = 20) async throws -> Run {
        let folder = TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (stdoutURL, stderrURL) = (folder.appendingPathComponent("stdout"), folder.appendingPathComponent("stderr"))
        for url in [stdoutURL, stderrURL] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        let (stdoutFile, stderrFile) = (
            try FileHandle(forWritingTo: stdoutURL), try FileHandle(forWritingTo: stderrURL)
        )
        defer { try? stdoutFile.close() }
        defer { try? stderrFile.close() }
        let process = Process()
        process.executableURL = binary(name)
        process.arguments = arguments
        process.standardOutput = stdoutFile
        process.standardError = stderrFile
        try process.run()
        for _ in 0..<(timeoutSeconds * 50) where process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("\(name) \(arguments.joined(separator: " ")) did not finish within \(timeoutSeconds) s")
        }
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: try String(contentsOf: stdoutURL, encoding: .utf8),
            stderr: try String(contentsOf: stderrURL, encoding: .utf8))
    }
}
