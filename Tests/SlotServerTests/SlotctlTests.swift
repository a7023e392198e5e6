import Foundation
import SlotClient
import SlotDomain
import SlotJournal
import SlotServer
import SlotTesting
import Testing

/// The real `slotctl` binary, run as a subprocess against a real server started by the test (127.0.0.1, port 0)
/// or against files that server wrote. Checks what an operator sees: the text, the JSON, and the exit status.
@Suite struct SlotctlTests {
    typealias Run = ToolProcess.Run

    static func slotctl(_ arguments: [String]) async throws -> Run {
        try await ToolProcess.run("slotctl", arguments)
    }

    static func slotctl(_ arguments: [String], port: Int) async throws -> Run {
        try await slotctl(arguments + ["--port", String(port)])
    }

    /// Three resources in three zones. berlin/1 is booked at 09:00Z (10:00 in Berlin) and later moved to 12:00Z,
    /// berlin/2 is a hold, berlin/3 a booking canceled with a reason, berlin/4 a booking; one booking each on
    /// kolkata (04:30Z, 10:00 there) and new-york (14:00Z, 09:00 there).
    static func populate(_ client: SlotConnection) async throws {
        let setup: [JSONValue] = [
            Requests.createResource("berlin", tz: "Europe/Berlin", extra: ["slot_minutes": 30]),
            Requests.createResource("kolkata", tz: "Asia/Kolkata", extra: ["slot_minutes": 60, "capacity": 2]),
            Requests.createResource("new-york", tz: "America/New_York", extra: ["hold_ttl_seconds": 600]),
            Requests.hold("berlin", "2027-01-05T09:00:00Z", "2027-01-05T09:30:00Z", op: "book", customer: "alice"),
            Requests.hold("berlin", "2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z", customer: "bob"),
            Requests.hold("berlin", "2027-01-06T08:00:00Z", "2027-01-06T08:30:00Z", op: "book", customer: "carol"),
            Requests.hold("berlin", "2027-01-07T15:00:00Z", "2027-01-07T15:30:00Z", op: "book", customer: "dan"),
            Requests.move(
                "reschedule", "berlin/1",
                extra: ["start": "2027-01-05T12:00:00Z", "end": "2027-01-05T12:30:00Z", "actor": "front-desk"]),
            Requests.move("cancel", "berlin/3", extra: ["reason": "patient called"]),
            Requests.hold("kolkata", "2027-01-05T04:30:00Z", "2027-01-05T05:30:00Z", op: "book", customer: "dev"),
            Requests.hold("new-york", "2027-01-05T14:00:00Z", "2027-01-05T15:00:00Z", op: "book", customer: "erin"),
        ]
        for request in setup {
            let reply = try await client.call(request)
            #expect(reply.ok, "\(request) -> \(reply)")
        }
    }

    @Test func statusAndResourcesShowTheServersState() async throws {
        try await TestServer.run { server in
            try await server.connect { try await Self.populate($0) }
            let status = try await Self.slotctl(["status"], port: server.port)
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.field("server") == "127.0.0.1:\(server.port)")
            #expect(status.field("resources") == "3")
            #expect(status.field("bookings") == "6 in all")
            #expect(status.field("active holds")?.hasPrefix("1 ") == true)
            #expect(status.field("journal sequence") == "11 appended, 11 durable")
            #expect(status.field("last snapshot") == "none taken since the server started")

            let stats = try await Self.slotctl(["stats", "--json"], port: server.port)
            #expect(stats.status == 0)
            let statsJSON = try stats.json()
            #expect(statsJSON["active_bookings"] == 5)
            #expect(statsJSON["journal_id"]?.string == server.runtime.journal.journalID)
            #expect(statsJSON["started_at"] == "2027-01-04T08:00:00Z")

            // One resource per page: the listing must follow `truncated` to the end.
            let resources = try await Self.slotctl(["resources", "--page-size", "1"], port: server.port)
            #expect(resources.status == 0)
            #expect(resources.stdout.hasPrefix("ID "))
            #expect(resources.row("berlin")?.contains("Europe/Berlin") == true)
            #expect(resources.row("berlin")?.contains("30 min") == true)
            #expect(resources.row("new-york")?.contains("600 s") == true)
            #expect(resources.stdout.hasSuffix("3 resources\n"))
            let listed = try await Self.slotctl(["resources", "--json", "--page-size", "2"], port: server.port).json()
            #expect(listed["resources"]?.array?.map { $0["id"] } == ["berlin", "kolkata", "new-york"])
            #expect(listed["resources"]?[1]?["tz"] == "Asia/Kolkata")
        }
    }

    @Test func bookingTimesAreShownInTheResourcesOwnZone() async throws {
        try await TestServer.run { server in
            try await server.connect { try await Self.populate($0) }
            let range = ["--from", "2027-01-05T00:00:00+01:00", "--to", "2027-01-08T00:00:00+01:00"]
            let berlin = try await Self.slotctl(["bookings", "berlin", "--page-size", "1"] + range, port: server.port)
            #expect(berlin.status == 0, "\(berlin.stderr)")
            #expect(berlin.stdout.contains("times in Europe/Berlin"))
            #expect(berlin.row("berlin/1")?.contains("2027-01-05 13:00 +01:00  2027-01-05 13:30 +01:00  alice") == true)
            #expect(berlin.row("berlin/2")?.contains("2027-01-05 11:00 +01:00") == true)
            #expect(berlin.row("berlin/2")?.hasSuffix("pending_confirmation") == true)
            #expect(berlin.row("berlin/3") == nil, "canceled bookings are not active")
            #expect(berlin.stdout.hasSuffix("3 active bookings\n"))
            let kolkata = try await Self.slotctl(["bookings", "kolkata"] + range, port: server.port)
            #expect(kolkata.row("kolkata/1")?.contains("2027-01-05 10:00 +05:30") == true)
            let newYork = try await Self.slotctl(["bookings", "new-york"] + range, port: server.port)
            #expect(newYork.row("new-york/1")?.contains("2027-01-05 09:00 -05:00") == true)

            let json = try await Self.slotctl(
                ["bookings", "berlin", "--json", "--page-size", "2"] + range, port: server.port)
            let page = try json.json()
            #expect(page["bookings"]?.array?.compactMap { $0["id"]?.string } == ["berlin/2", "berlin/1", "berlin/4"])
            #expect(page["resource"]?["tz"] == "Europe/Berlin")
            #expect(page["from"] == "2027-01-04T23:00:00Z")

            let moved = try await Self.slotctl(["booking", "berlin/1"], port: server.port)
            #expect(moved.status == 0)
            #expect(moved.field("start") == "2027-01-05 13:00 +01:00")
            #expect(moved.field("state") == "rescheduled")
            #expect(moved.stdout.contains("moved from 2027-01-05 10:00 +01:00 - 2027-01-05 10:30 +01:00"))
            #expect(moved.row("confirmed")?.contains("front-desk  2027-01-04 09:00:00 +01:00") == true)
            let canceled = try await Self.slotctl(["booking", "berlin/3"], port: server.port)
            #expect(canceled.row("confirmed")?.hasSuffix("reason: patient called") == true)
            let movedJSON = try await Self.slotctl(["booking", "berlin/1", "--json"], port: server.port).json()
            #expect(movedJSON["booking"]?["history"]?.array?.count == 3)
            #expect(movedJSON["booking"]?["history"]?[2]?["previous_start"] == "2027-01-05T09:00:00Z")
            #expect(movedJSON["resource"]?["tz"] == "Europe/Berlin")

            // A group member says which group it belongs to.
            let grouped = try await server.connect { client in
                try await client.call([
                    "op": "book", "resources": ["new-york", "kolkata"], "start": "2027-01-06T14:30:00Z",
                    "end": "2027-01-06T15:30:00Z", "customer": "fay",
                ])
            }
            #expect(grouped["group"]?["id"] == "kolkata/g2")
            let member = try await Self.slotctl(["booking", "new-york/2"], port: server.port)
            #expect(member.field("group") == "kolkata/g2")
            #expect(moved.field("group") == nil)
        }
    }

    @Test func refusalsBadArgumentsAndADeadServerHaveTheirOwnExitStatus() async throws {
        try await TestServer.run { server in
            try await server.connect { try await Self.populate($0) }
            let missing = try await Self.slotctl(["booking", "berlin/99"], port: server.port)
            #expect(missing.status == 1)
            #expect(missing.stderr == "Error: the server refused get_booking: not_found: no booking berlin/99\n")
            #expect(missing.stdout.isEmpty)
            let tooLong = try await Self.slotctl(
                ["bookings", "berlin", "--from", "2027-01-01T00:00:00Z", "--to", "2027-06-01T00:00:00Z"],
                port: server.port)
            #expect(tooLong.status == 1)
            #expect(tooLong.stderr.contains("range_too_large"))
            let badID = try await Self.slotctl(["booking", "no-slash"], port: server.port)
            #expect(badID.status == 64)
            #expect(badID.stderr.contains("'no-slash' is invalid"))
            let backwards = try await Self.slotctl(
                ["bookings", "berlin", "--from", "2027-01-06T00:00:00Z", "--to", "2027-01-05T00:00:00Z"],
                port: server.port)
            #expect(backwards.status == 64)
            #expect(backwards.stderr.contains("--to must be after --from"))
        }
        // A port that is bound but not listening: every connection attempt is refused.
        let (closedDescriptor, port) = try Self.boundSocket(listening: false)
        defer { close(closedDescriptor) }
        let down = try await Self.slotctl(["status"], port: port)
        #expect(down.status == 2)
        #expect(down.stderr.hasPrefix("Error: cannot talk to slotd at 127.0.0.1:\(port): "))
        #expect(down.stderr.contains("refused"))
        let downJSON = try await Self.slotctl(["snapshot", "--json"], port: port)
        #expect(downJSON.status == 2)
        #expect(downJSON.stdout.isEmpty)

        // A listener that never accepts: the connection is made, no reply ever comes.
        let (silentDescriptor, silentPort) = try Self.boundSocket(listening: true)
        defer { close(silentDescriptor) }
        let silent = try await Self.slotctl(["status", "--timeout-seconds", "1"], port: silentPort)
        #expect(silent.status == 2)
        #expect(silent.stderr == "Error: cannot talk to slotd at 127.0.0.1:\(silentPort): no reply within 1 s\n")
    }

    /// A TCP socket bound to a free port on 127.0.0.1, which stays reserved while it is open. Not listening,
    /// connections to it are refused; listening but never accepting, the kernel completes them and nobody answers.
    static func boundSocket(listening: Bool) throws -> (descriptor: Int32, port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && (!listening || listen(descriptor, 4) == 0)
                    && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        try #require(descriptor >= 0 && ready, "cannot bind on 127.0.0.1: errno \(errno)")
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test func snapshotTakesAndInspectsAndRefusesADamagedFile() async throws {
        try await TestServer.run { server in
            try await server.connect { try await Self.populate($0) }
            // `snapshot` alone runs `snapshot take`.
            let taken = try await Self.slotctl(["snapshot"], port: server.port)
            #expect(taken.status == 0, "\(taken.stderr)")
            let path = try #require(taken.field("snapshot written"))
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(taken.field("journal sequence") == "11")
            #expect(taken.field("bookings") == "6")
            let again = try await Self.slotctl(["snapshot", "take", "--json"], port: server.port).json()
            #expect(again["path"]?.string == path, "same journal position, same file name")
            #expect(again["resources"] == 3)
            #expect(again["compacted_entries"] == 0)
            let status = try await Self.slotctl(["status"], port: server.port)
            #expect(status.field("last snapshot") == path)

            let inspected = try await Self.slotctl(["snapshot", "inspect", path, "--json"]).json()
            #expect(inspected["version"] == 4)
            #expect(inspected["journal_id"]?.string == server.runtime.journal.journalID)
            #expect(inspected["journal_sequence"] == 11)
            #expect(inspected["resources"] == 3)
            #expect(inspected["bookings"] == 6)
            #expect(inspected["created_at"] == "2027-01-04T08:00:00Z")
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
            #expect(inspected["size_bytes"]?.int == size)
            #expect(inspected["checksum"]?.string?.count == 8)
            let text = try await Self.slotctl(["snapshot", "inspect", path])
            #expect(text.field("checksum") == "\(inspected["checksum"]?.string ?? "?") (CRC-32, verified)")

            let damaged = server.dataDirectory.appendingPathComponent("damaged.slotsnap")
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes[bytes.count / 2] ^= 0xFF
            try bytes.write(to: damaged)
            let refused = try await Self.slotctl(["snapshot", "inspect", damaged.path])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("checksum mismatch"))
            let missing = try await Self.slotctl(["snapshot", "inspect", damaged.path + ".missing"])
            #expect(missing.status == 3)
            #expect(missing.stderr.contains("no such file"))
        }
    }

    @Test func journalVerifyChecksALiveAndAStoppedJournalAndNamesTheFirstBadRecord() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await TestServer.run(dataDirectory: directory) { server in
            try await server.connect { try await Self.populate($0) }
            // Read-only and without the lock: it works beside the running server.
            let live = try await Self.slotctl(["journal", "verify", directory.path])
            #expect(live.status == 0, "\(live.stderr)")
            #expect(live.field("entries checked") == "11")
            #expect(live.field("result") == "ok: every record is intact")
        }
        let good = try await Self.slotctl(["journal", "verify", directory.path, "--json"])
        #expect(good.status == 0)
        let report = try good.json()
        #expect(report["ok"] == true)
        #expect(report["entries"] == 11)
        #expect(report["first_sequence"] == 1)
        #expect(report["last_sequence"] == 11)
        #expect(report["resources_created"] == 3)
        #expect(report["first_bad"] == .null)
        try await Self.expectDumpShowsEveryRecord(directory)

        // A clean stop checkpoints the WAL into journal.sqlite: change one letter of entry 11's body there.
        let file = directory.appendingPathComponent("journal.sqlite")
        var bytes = try Data(contentsOf: file)
        let found = try #require(bytes.range(of: Data("erin".utf8)))
        bytes[found.upperBound - 1] = UInt8(ascii: "N")
        try bytes.write(to: file)
        let badDump = try await Self.slotctl(["journal", "dump", directory.path])
        #expect(badDump.status == 1)
        #expect(badDump.stdout.split(separator: "\n").count == 10, "the records before the bad one")
        #expect(badDump.stderr.contains("journal record 11 is bad: checksum mismatch"), "\(badDump.stderr)")
        let bad = try await Self.slotctl(["journal", "verify", directory.path, "--json"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("journal record 11 is bad: checksum mismatch"))
        let badReport = try bad.json()
        #expect(badReport["ok"] == false)
        #expect(badReport["entries"] == 10)
        #expect(badReport["first_bad"] == ["sequence": 11, "reason": "checksum mismatch"])

        let missing = try await Self.slotctl(["journal", "verify", directory.appendingPathComponent("none").path])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("no journal here"))
    }

    /// `journal dump` prints the (binary, format 3) records that `populate` made as JSON lines, in order.
    static func expectDumpShowsEveryRecord(_ directory: URL) async throws {
        let dump = try await slotctl(["journal", "dump", directory.path])
        #expect(dump.status == 0, "\(dump.stderr)")
        let lines = try dump.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        #expect(lines.map { $0["sequence"]?.int } == Array(1...11))
        #expect(lines.allSatisfy { $0["format"] == 3 })
        #expect(lines.map { $0["kind"]?.string ?? "" }.filter { $0 == "resource_created" }.count == 3)
        #expect(lines[3]["resource"] == "berlin" && lines[3]["customer"] == "alice" && lines[3]["confirmed"] == true)
        #expect(lines[3]["start"] == .number(1_799_139_600), "2027-01-05T09:00:00Z in seconds")
        #expect(lines[8]["kind"] == "moved" && lines[8]["to"] == "canceled" && lines[8]["reason"] == "patient called")
        #expect(lines[10]["customer"] == "erin")
        let page = try await slotctl(["journal", "dump", directory.path, "--after", "9", "--limit", "1"])
        #expect(page.stdout.split(separator: "\n").map { try? JSONValue.parse(String($0))["sequence"] } == [10])
    }

    @Test func journalVerifyShowsProgressOnStderr() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = try Journal(directory: directory)
        journal.start()
        let settings = ResourceSettings(id: ResourceID("bulk")!, timeZoneIdentifier: "UTC")
        let at = TestServer.epoch
        var last = journal.append(.resourceCreated(settings, at: at, idempotency: nil))
        for sequence in 1...10_000 {
            let start = at.adding(seconds: Int64(sequence) * 900)
            let held = HeldEvent(
                sequence: UInt64(sequence), range: TimeRange(start: start, end: start.adding(seconds: 900)),
                customer: "c", expiresAt: nil, confirmed: true, actor: "client", at: at, idempotency: nil)
            last = journal.append(.schedule(settings.id, .held(held)))
        }
        try await journal.waitUntilDurable(last)
        journal.stop()
        let run = try await Self.slotctl(["journal", "verify", directory.path])
        #expect(run.status == 0)
        #expect(run.stderr == "verify: 10,000 of 10,001 entries checked\n")
        #expect(run.field("entries checked") == "10,001")
    }
}
