import ArgumentParser
import Foundation
import SlotClient
import SlotJournal
import SlotWire

/// `slotctl snapshot inspect FILE`: checks a snapshot file and shows its header. Needs no server.
struct InspectSnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Check a snapshot file (magic, version, checksum) and show its header. Needs no server.")

    @Argument(help: "The snapshot file (snapshot-<sequence>-<journal id>.slotsnap).")
    var file: String

    @OptionGroup var output: OutputOptions

    func run() throws {
        let url = URL(fileURLWithPath: file)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw SlotctlFailure.unreadable("no such file: \(url.path)")
        }
        guard !isFolder.boolValue else {
            throw SlotctlFailure.unreadable("\(url.path) is a folder, not a snapshot file")
        }
        let header: SnapshotHeader
        do {
            header = try SnapshotStore.inspect(url)
        } catch {
            if case .io(let reason) = error { throw SlotctlFailure.unreadable(reason) }
            throw SlotctlFailure.damaged("\(url.path) is not a usable snapshot: \(error)")
        }
        let checksum = String(header.checksum, radix: 16)
        let checksumText = String(repeating: "0", count: max(0, 8 - checksum.count)) + checksum
        if output.json {
            let object: JSONValue = [
                "path": .string(url.path), "version": .number(Double(header.version)),
                "journal_id": .string(header.journalID), "journal_sequence": .number(Double(header.journalSequence)),
                "created_at": .string(RFC3339.format(header.createdAt)),
                "resources": .number(Double(header.resourceCount)), "bookings": .number(Double(header.bookingCount)),
                "idempotency_keys": .number(Double(header.idempotencyKeyCount)), "checksum": .string(checksumText),
                "size_bytes": .number(Double(header.sizeBytes)),
            ]
            emit(object.jsonText)
            return
        }
        var fields = FieldList()
        fields.add("file", url.path)
        fields.add("format version", "\(header.version)")
        fields.add("journal id", header.journalID)
        fields.add("journal sequence", Amounts.grouped(Int(header.journalSequence)))
        fields.add("created at", RFC3339.format(header.createdAt))
        fields.add("resources", Amounts.grouped(header.resourceCount))
        fields.add("bookings", Amounts.grouped(header.bookingCount))
        fields.add("idempotency keys", Amounts.grouped(header.idempotencyKeyCount))
        fields.add("checksum", "\(checksumText) (CRC-32, verified)")
        fields.add("size", Amounts.bytes(header.sizeBytes))
        emit(fields.render())
    }
}

/// `slotctl journal verify DIR`, `slotctl journal dump DIR`.
struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal", abstract: "Check or print a journal offline.",
        subcommands: [VerifyJournalCommand.self, DumpJournalCommand.self])
}

/// Prints journal records as JSON lines, whatever their stored format (format 3 bodies are binary).
struct DumpJournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print journal records, one JSON object per line. Needs no server.",
        discussion: """
            Each line has the record's sequence and stored format, then its fields (instants in seconds since \
            1970 UTC), as docs/OPERATIONS.md describes. Opens journal.sqlite read-only and takes no lock, so it \
            may run beside a live slotd. Exit status 1 at a bad record, after the lines before it.
            """)

    @Argument(help: "The data folder (the one holding journal.sqlite).")
    var directory: String

    @Option(help: "Start after this sequence (0: from the oldest stored entry).") var after: UInt64 = 0
    @Option(help: "Print at most this many records.") var limit: Int?

    func validate() throws {
        guard (limit ?? 1) > 0 else { throw ValidationError("--limit must be positive") }
    }

    func run() throws {
        let url = URL(fileURLWithPath: directory)
        var output = ""
        do {
            try JournalVerifier.dump(directory: url, after: after, limit: limit) { line in
                output += line
                output += "\n"
                if output.utf8.count >= 64 * 1_024 { Self.flush(&output) }
            }
            Self.flush(&output)
        } catch JournalError.corruptRecord(let sequence, let reason) {
            Self.flush(&output)
            throw SlotctlFailure.damaged("journal record \(sequence) is bad: \(reason)")
        } catch {
            throw SlotctlFailure.unreadable("cannot read the journal in \(url.path): \(error)")
        }
    }

    private static func flush(_ output: inout String) {
        FileHandle.standardOutput.write(Data(output.utf8))
        output = ""
    }
}

/// Reads every record of a data folder's journal and checks it, like start-up replay does, without a server.
struct VerifyJournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every journal record (checksum, format, body, no gap in the sequence). Needs no server.",
        discussion: """
            Opens journal.sqlite read-only and takes no lock, so it may run beside a live slotd (it then checks \
            the journal as of its last commit). Exit status 1 when a record is bad.
            """)

    @Argument(help: "The data folder (the one holding journal.sqlite).")
    var directory: String

    @OptionGroup var output: OutputOptions

    func run() throws {
        let url = URL(fileURLWithPath: directory)
        var shownEntries = 0
        let report: JournalVerifier.Report
        do {
            report = try withProgress("verify: reading \(url.path)") { progress in
                try JournalVerifier.verify(directory: url) { checked, total in
                    // Called every 10,000 entries and once at the end, which may repeat the last count.
                    guard checked > shownEntries, checked % 10_000 == 0 else { return }
                    shownEntries = checked
                    let line = "verify: \(Amounts.grouped(checked)) of \(Amounts.grouped(total)) entries checked"
                    // On a terminal the count replaces itself; elsewhere each is a line of the log it goes to.
                    if progress.isOnTerminal {
                        progress.update(line)
                    } else {
                        FileHandle.standardError.write(Data((line + "\n").utf8))
                    }
                }
            }
        } catch {
            throw SlotctlFailure.unreadable("cannot read the journal in \(url.path): \(error)")
        }
        emit(output.json ? Self.json(report, directory: url).jsonText : Self.render(report, directory: url))
        if let bad = report.firstBad {
            throw SlotctlFailure.damaged(
                "journal record \(bad.sequence) is bad: \(bad.reason) (entries intact before it: \(report.entries))")
        }
    }

    static func json(_ report: JournalVerifier.Report, directory: URL) -> JSONValue {
        func number(_ value: UInt64?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }
        let firstBad: JSONValue =
            report.firstBad.map { ["sequence": number($0.sequence), "reason": .string($0.reason)] } ?? .null
        return [
            "directory": .string(directory.path), "journal_id": .string(report.journalID),
            "floor": number(report.floor), "entries": .number(Double(report.entries)),
            "first_sequence": number(report.firstSequence), "last_sequence": number(report.lastSequence),
            "resources_created": .number(Double(report.resourcesCreated)), "ok": .bool(report.firstBad == nil),
            "first_bad": firstBad,
        ]
    }

    static func render(_ report: JournalVerifier.Report, directory: URL) -> String {
        var fields = FieldList()
        fields.add("journal", directory.appendingPathComponent("journal.sqlite").path)
        fields.add("journal id", report.journalID.isEmpty ? "- (none recorded)" : report.journalID)
        fields.add(
            "floor",
            report.floor == 0
                ? "0 (nothing compacted)"
                : "\(Amounts.grouped(Int(report.floor))) (entries up to here live only in snapshots)")
        if let first = report.firstSequence, let last = report.lastSequence {
            fields.add("stored sequences", "\(Amounts.grouped(Int(first))) to \(Amounts.grouped(Int(last)))")
        } else {
            fields.add("stored sequences", "none (empty journal)")
        }
        fields.add("entries checked", Amounts.grouped(report.entries))
        fields.add("resources created", "\(Amounts.grouped(report.resourcesCreated)) (in the entries checked)")
        if let bad = report.firstBad {
            fields.add("result", "BAD: record \(bad.sequence): \(bad.reason)")
        } else {
            fields.add("result", "ok: every record is intact")
        }
        return fields.render()
    }
}
