import Foundation
import SlotTesting
import Testing

/// The kit finds the package's executables from the test bundle, and would from the nested Benchmarks package,
/// whose own build folder holds none: it also searches this checkout's `.build`.
@Suite struct PackageExecutableTests {
    /// This checkout's `.build`, from this file's place in it (Tests/SlotServerTests/).
    static let checkoutBuild = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build")

    @Test func theToolsAreFoundAndTheCheckoutsBuildFolderIsSearched() throws {
        for name in ["slotd", "slotctl", "slotload"] {
            let url = try PackageExecutable.url(name)
            #expect(FileManager.default.isExecutableFile(atPath: url.path), "\(url.path)")
            #expect(url.lastPathComponent == name)
        }
        let searched = PackageExecutable.searchFolders().map(\.standardizedFileURL.path)
        for configuration in ["debug", "release"] {
            let folder = Self.checkoutBuild.appendingPathComponent(configuration).standardizedFileURL.path
            #expect(searched.contains(folder), "\(searched)")
        }
    }

    @Test func aMissingExecutableIsAnErrorThatSaysWhereItLooked() throws {
        #expect {
            try PackageExecutable.url("no-such-tool")
        } throws: { error in
            guard case SlotTestingError.executableNotFound(let name, let searched) = error else { return false }
            return name == "no-such-tool" && searched.count == PackageExecutable.searchFolders().count
                && "\(error)".contains("NO-SUCH-TOOL_BINARY")
        }
    }
}
