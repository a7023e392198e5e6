import ArgumentParser
import SlotClient

/// `slotctl status` (or `stats`): the server's vital signs, from the `stats` op.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the server's counts, journal position and last snapshot.",
        aliases: ["stats"])

    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let reply = try await ServerSession.run(server) { session in try await session.call(["op": "stats"]) }
        let stats = reply["stats"] ?? .null
        emit(output.json ? stats.jsonText : Self.render(stats, endpoint: server.endpoint))
    }

    static func render(_ stats: JSONValue, endpoint: String) -> String {
        var fields = FieldList()
        fields.add("server", endpoint)
        let uptime = stats["uptime_seconds"]?.int.map { " (up \(Amounts.duration(seconds: $0)))" } ?? ""
        fields.add("started at", (stats["started_at"]?.string ?? "-") + uptime)
        fields.add("server time", stats["now"]?.string ?? "-")
        fields.add("resources", count(stats["resources"]))
        fields.add("bookings", count(stats["bookings"]) + " in all")
        fields.add("active bookings", count(stats["active_bookings"]) + " (pending, confirmed or rescheduled)")
        fields.add("active holds", count(stats["active_holds"]) + " (unexpired, not yet confirmed)")
        fields.add("idempotency keys", count(stats["idempotency_keys"]))
        fields.add("connections", count(stats["connections"]) + " (this one included)")
        fields.add("journal id", stats["journal_id"]?.string ?? "-")
        fields.add(
            "journal sequence",
            "\(count(stats["journal_sequence"])) appended, \(count(stats["durable_sequence"])) durable")
        fields.add("last snapshot", lastSnapshot(stats["last_snapshot"], now: stats["now"]?.string))
        return fields.render()
    }

    private static func lastSnapshot(_ snapshot: JSONValue?, now: String?) -> String {
        guard let snapshot, snapshot != .null else { return "none taken since the server started" }
        let age = ZoneDisplay.seconds(from: snapshot["taken_at"]?.string, to: now).map {
            " (\(Amounts.duration(seconds: $0)) ago)"
        }
        return [
            snapshot["path"]?.string ?? "-",
            "journal sequence \(count(snapshot["journal_sequence"]))",
            "taken at \(snapshot["taken_at"]?.string ?? "-")\(age ?? "")",
            snapshot["size_bytes"]?.int.map(Amounts.bytes) ?? "-",
        ].joined(separator: "\n")
    }
}

/// `slotctl snapshot [take]` and `slotctl snapshot inspect FILE`.
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Take a snapshot now (the default), or inspect a snapshot file.",
        subcommands: [TakeSnapshotCommand.self, InspectSnapshotCommand.self],
        defaultSubcommand: TakeSnapshotCommand.self)
}

/// Asks the server for a snapshot (the `snapshot` op) and shows what it wrote.
struct TakeSnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "take", abstract: "Ask the server to write a snapshot now and show what it wrote.")

    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let reply = try await withProgress("taking a snapshot on \(server.endpoint)") {
            try await ServerSession.run(server) { session in try await session.call(["op": "snapshot"]) }
        }
        let snapshot = reply["snapshot"] ?? .null
        emit(output.json ? snapshot.jsonText : Self.render(snapshot))
    }

    static func render(_ snapshot: JSONValue) -> String {
        var fields = FieldList()
        fields.add("snapshot written", snapshot["path"]?.string ?? "-")
        fields.add("taken at", snapshot["taken_at"]?.string ?? "-")
        fields.add("journal sequence", count(snapshot["journal_sequence"]))
        fields.add("resources", count(snapshot["resources"]))
        fields.add("bookings", count(snapshot["bookings"]))
        fields.add("idempotency keys", count(snapshot["idempotency_keys"]))
        fields.add("size", snapshot["size_bytes"]?.int.map(Amounts.bytes) ?? "-")
        fields.add("duration", milliseconds(snapshot["duration_ms"]))
        fields.add("longest pause", milliseconds(snapshot["longest_pause_ms"]) + " (of any one resource)")
        let compactedEntries = snapshot["compacted_entries"]?.int ?? 0
        let compactedThrough = snapshot["compacted_through"]?.int ?? 0
        fields.add(
            "compaction",
            compactedThrough == 0
                ? "none (the journal is compacted once two snapshots are kept)"
                : "journal compacted through entry \(Amounts.grouped(compactedThrough)), "
                    + "\(Amounts.grouped(compactedEntries)) entries deleted")
        return fields.render()
    }

    private static func milliseconds(_ value: JSONValue?) -> String {
        guard case .number(let milliseconds) = value else { return "-" }
        return Amounts.milliseconds(milliseconds)
    }
}

/// A whole number from a reply, grouped; `-` when the reply lacks it.
func count(_ value: JSONValue?) -> String {
    value?.int.map(Amounts.grouped) ?? "-"
}
