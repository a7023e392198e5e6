import Foundation
import Glibc
import SlotDomain

/// Snapshot files in one folder, named `snapshot-<journal sequence, 20 digits>-<journal id>.slotsnap`, so the
/// newest for a journal is found from names alone. Only such names directly in the folder are considered:
/// subfolders (like the repository's `snapshots/golden/`) and other files are left alone.
public struct SnapshotStore: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public struct Listing: Sendable, Equatable {
        public var url: URL
        public var journalSequence: UInt64
        public var journalID: String
    }

    public static func fileName(journalSequence: UInt64, journalID: String) -> String {
        let digits = String(journalSequence)
        return "snapshot-\(String(repeating: "0", count: max(0, 20 - digits.count)))\(digits)-\(journalID).slotsnap"
    }

    /// This journal's snapshots, newest first.
    public func list(journalID: String) -> [Listing] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.compactMap { name -> Listing? in
            guard name.hasPrefix("snapshot-"), name.hasSuffix(".slotsnap") else { return nil }
            let core = name.dropFirst("snapshot-".count).dropLast(".slotsnap".count)
            guard core.count > 21, let sequence = UInt64(core.prefix(20)), core.dropFirst(20).first == "-" else {
                return nil
            }
            let id = String(core.dropFirst(21))
            guard id == journalID else { return nil }
            return Listing(url: directory.appendingPathComponent(name), journalSequence: sequence, journalID: id)
        }.sorted { $0.journalSequence > $1.journalSequence }
    }

    /// Writes `image` atomically: a temporary file, fsync, rename, fsync of the folder. A crash at any point
    /// leaves either the old set of snapshots or the new one, never a half-written file under a snapshot name.
    /// The written file is read back and checked before this returns.
    public func write(_ image: SnapshotImage) throws(SnapshotError) -> (url: URL, sizeBytes: Int) {
        let name = Self.fileName(journalSequence: image.journalSequence, journalID: image.journalID)
        let final = directory.appendingPathComponent(name)
        let temporary = directory.appendingPathComponent(".\(name).\(UUID().uuidString).tmp")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create \(directory.path): \(error)")
        }
        let size = try Self.writeDurably(to: temporary) { sink throws(SnapshotError) in
            try SnapshotFormatV1.encode(image, to: sink)
        }
        guard rename(temporary.path, final.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw .io("rename to \(final.path) failed: \(reason)")
        }
        try Self.syncDirectory(directory)
        // Check the bytes on disk, not the ones in memory: header, trailer and checksum.
        let header = try Self.inspect(final)
        guard header.journalSequence == image.journalSequence, header.bookingCount == image.bookingCount else {
            throw .invalid("the snapshot read back does not match what was written")
        }
        return (final, size)
    }

    /// Temporary files that a write of one of this journal's snapshots left behind: `.<snapshot name>.<random>.tmp`
    /// (see `write`). Only a crash in the middle of a write leaves one; nothing ever reads them. Other journals'
    /// temporary files are not listed: a folder shared by several servers may hold one being written right now.
    public func staleTemporaryFiles(journalID: String) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { name in
            name.hasPrefix(".snapshot-") && name.hasSuffix(".tmp") && name.contains("-\(journalID).slotsnap.")
        }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// Deletes `staleTemporaryFiles`; returns the ones deleted and, apart, the ones that could not be (with why).
    /// Call it only while holding this journal's data-folder lock: then no write of its snapshots is under way.
    public func removeStaleTemporaryFiles(journalID: String) -> (removed: [URL], failed: [(URL, String)]) {
        var removed: [URL] = []
        var failed: [(URL, String)] = []
        for url in staleTemporaryFiles(journalID: journalID) {
            if unlink(url.path) == 0 {
                removed.append(url)
            } else {
                failed.append((url, String(cString: strerror(errno))))
            }
        }
        return (removed, failed)
    }

    /// Removes this journal's snapshots beyond the newest `kept`; returns the ones still kept, newest first.
    public func prune(journalID: String, kept: Int) -> [Listing] {
        let all = list(journalID: journalID)
        for old in all.dropFirst(max(1, kept)) { try? FileManager.default.removeItem(at: old.url) }
        return Array(all.prefix(max(1, kept)))
    }

    /// Renames a snapshot out of the candidates (`….slotsnap.<reason>`), durably, keeping it for the operator.
    public func setAside(_ url: URL, reason: String) throws(SnapshotError) -> URL {
        let aside = url.appendingPathExtension(reason)
        guard rename(url.path, aside.path) == 0 else {
            throw .io("rename of \(url.path) failed: \(String(cString: strerror(errno)))")
        }
        try Self.syncDirectory(directory)
        return aside
    }

    public static func load(_ url: URL) throws(SnapshotError) -> SnapshotImage {
        try SnapshotFormatV1.decode(try read(url))
    }

    public static func inspect(_ url: URL) throws(SnapshotError) -> SnapshotHeader {
        try SnapshotFormatV1.header(of: try read(url)).0
    }

    /// The whole file, read straight into one array: going through `Data` would hold the file twice (a
    /// million-booking snapshot is 140 MB) and copy it once more, at start-up and in the check after every write.
    static func read(_ url: URL) throws(SnapshotError) -> [UInt8] {
        func failure(_ what: String) -> SnapshotError {
            .io("cannot read \(url.path): \(what) \(String(cString: strerror(errno)))")
        }
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else { throw failure("open:") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure("fstat:") }
        let size = Int(status.st_size)
        var readError: SnapshotError?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let result = Glibc.read(descriptor, buffer.baseAddress! + count, size - count)
                if result > 0 {
                    count += result
                } else if result == 0 {
                    readError = .io("cannot read \(url.path): it ended after \(count) of \(size) bytes")
                    return
                } else if errno != EINTR {
                    readError = failure("read:")
                    return
                }
            }
        }
        if let readError { throw readError }
        return bytes
    }

    /// Creates `url`, writes the pieces `produce` hands to its sink, in order, and syncs the file to disk.
    /// Returns the bytes written. On failure the file is removed.
    static func writeDurably(
        to url: URL,
        _ produce: ((UnsafeBufferPointer<UInt8>) throws(SnapshotError) -> Void) throws(SnapshotError) -> Void
    ) throws(SnapshotError) -> Int {
        let descriptor = open(url.path, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw .io("cannot create \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var written = 0
        do throws(SnapshotError) {
            try produce { buffer throws(SnapshotError) in
                var offset = 0
                while offset < buffer.count {
                    let result = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if result > 0 {
                        offset += result
                    } else if result == 0 || errno != EINTR {
                        throw .io("write to \(url.path) failed: \(String(cString: strerror(errno)))")
                    }
                }
                written += buffer.count
            }
            guard fsync(descriptor) == 0 else {
                throw .io("fsync of \(url.path) failed: \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(url.path)
            throw error
        }
        return written
    }

    static func syncDirectory(_ url: URL) throws(SnapshotError) {
        let descriptor = open(url.path, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0 else { throw .io("cannot open \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw .io("fsync of \(url.path) failed: \(String(cString: strerror(errno)))")
        }
    }
}
