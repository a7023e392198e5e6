import Foundation

/// Finds one of slotd's own executables (`slotd`, `slotctl`, `slotload`) for a test or benchmark to run as a
/// separate process, wherever the caller was built: the test bundle sits next to them in `.build/debug`, but a
/// benchmark of the nested `Benchmarks/` package runs from that package's own build folder, which holds none.
public enum PackageExecutable {
    /// The variable that names the executable explicitly, e.g. `SLOTD_BINARY`: for an installed build, or one
    /// made elsewhere.
    public static func environmentVariable(_ name: String) -> String { name.uppercased() + "_BINARY" }

    /// The path in `<NAME>_BINARY` if set; else the first executable `name` in `searchFolders()`: the folder of the
    /// running executable (the test bundle's `.build/debug`), then slotd's own `.build/debug` and `.build/release`
    /// (release first when this kit was built for release, so a release benchmark runs a release server).
    public static func url(_ name: String) throws -> URL {
        if let path = ProcessInfo.processInfo.environment[environmentVariable(name)] {
            return URL(fileURLWithPath: path)
        }
        let candidates = searchFolders().map { $0.appendingPathComponent(name) }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw SlotTestingError.executableNotFound(name: name, searched: candidates)
        }
        return found
    }

    /// The folders searched when `<NAME>_BINARY` is not set, in order.
    public static func searchFolders() -> [URL] {
        let running = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // This file is Sources/SlotTesting/PackageExecutable.swift in slotd's checkout, which the nested package
        // builds from source too (a path dependency), so the checkout's own build folder is found from it.
        let build = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build")
        #if DEBUG
            let configurations = ["debug", "release"]
        #else
            let configurations = ["release", "debug"]
        #endif
        return [running] + configurations.map { build.appendingPathComponent($0) }
    }
}
