import Foundation
import SlotClient
import SlotTesting
import Testing

/// `erase_customer` through a real `slotd` process (decision 0022): afterwards no file under the data folder
/// (journal, its -wal and -shm, snapshots, including one taken before the erasure) nor the server's log holds the
/// customer's text; another customer's stays; the erased bookings keep their time; a restart comes back erased.
@Suite struct CustomerErasureProtocolTests {
    static let alice = "Alice Example +49 170 1234567"
    /// A distinctive part of Alice's text, searched for on its own too.
    static let alicePhone = "170 1234567"

    /// `hour`:00 to `hour`:30 UTC, three days from now (within every resource's horizon, past any notice).
    static func slot(_ hour: Int) -> (start: String, end: String) {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        let day = formatter.string(from: Date().addingTimeInterval(3 * 86_400))
        let text = String(format: "%02d", hour)
        return ("\(day)T\(text):00:00Z", "\(day)T\(text):30:00Z")
    }

    static func book(_ resource: String, _ hour: Int, _ customer: String, op: String = "book", key: String? = nil)
        -> JSONValue
    {
        let (start, end) = slot(hour)
        return Requests.hold(
            resource, start, end, op: op, customer: customer,
            extra: key.map { ["idempotency_key": .string($0)] } ?? [:])
    }

    /// Every file under `directory` (recursively) whose bytes contain `text`.
    static func files(under directory: URL, containing text: String) throws -> [String] {
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        var found: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            if try Data(contentsOf: url).range(of: Data(text.utf8)) != nil { found.append(url.lastPathComponent) }
        }
        return found
    }

    @Test func theCustomersTextLeavesEveryFileAndTheBookingsKeepTheirTime() async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data")
        let log = directory.appendingPathComponent("slotd.log")
        let server = try await SlotdProcess(dataDirectory: data, logLevel: "debug", stderr: log)
        let aliceKeyed = Self.book("dr-smith", 9, Self.alice, key: "alice-1")
        let bobKeyed = Self.book("dr-smith", 12, "Bob", key: "bob-1")
        let bobReply = try await server.connect { client in
            for resource in ["dr-smith", "dr-jones"] {
                #expect(try await client.call(Requests.createResource(resource)).ok)
            }
            #expect(try await client.call(aliceKeyed).ok)
            #expect(try await client.call(Self.book("dr-smith", 10, Self.alice, op: "hold")).ok)
            #expect(try await client.call(Self.book("dr-jones", 9, Self.alice)).ok)
            let cancel = Requests.move("cancel", "dr-jones/1", extra: ["reason": .string("\(Self.alice) moved away")])
            #expect(try await client.call(cancel).ok)
            let bob = try await client.call(bobKeyed)
            #expect(bob.ok)
            let (start, end) = Self.slot(9)
            let join: JSONValue = [
                "op": "waitlist_join", "resource": "dr-smith", "start": .string(start), "end": .string(end),
                "customer": .string(Self.alice), "idempotency_key": "alice-wait",
            ]
            #expect(try await client.call(join).ok)
            #expect(try await client.call(["op": "snapshot"]).ok, "a snapshot that still holds Alice")
            #expect(try Self.files(under: data, containing: Self.alice).isEmpty == false)

            let erased = try await client.call(["op": "erase_customer", "customer": .string(Self.alice)])
            #expect(erased["erased"]?["bookings"] == 3, "\(erased)")
            #expect(erased["erased"]?["waitlist_entries"] == 1)
            #expect(erased["erased"]?["idempotency_keys"] == 2)
            #expect(erased["erased"]?["tokens"] == 0)
            #expect((erased["journal_compacted_through"]?.int ?? 0) > 0)

            let booking = try await client.call(["op": "get_booking", "booking": "dr-smith/1"])
            #expect(booking["booking"]?["customer"] == "", "\(booking)")
            #expect(booking["booking"]?["state"] == "confirmed")
            let taken = try await client.call(Self.book("dr-smith", 9, "Carol", op: "hold"))
            #expect(taken.errorCode == "slot_unavailable", "an erased booking keeps its time")
            #expect(try await client.call(aliceKeyed).errorCode == "idempotency_conflict", "never booked twice")
            #expect(try await client.call(bobKeyed) == bob)
            let again = try await client.call(["op": "erase_customer", "customer": .string(Self.alice)])
            #expect(again["erased"]?["bookings"] == 0, "nothing left to erase")
            return bob
        }
        for text in [Self.alice, Self.alicePhone] {
            #expect(try Self.files(under: data, containing: text).isEmpty, "\(text)")
        }
        #expect(try Self.files(under: data, containing: "Bob").isEmpty == false, "another customer's text stays")
        #expect(try #require(try? String(contentsOf: log, encoding: .utf8)).contains(Self.alicePhone) == false)
        #expect(try await server.terminate() == 0)

        let restarted = try await SlotdProcess(dataDirectory: data)
        try await restarted.connect { client in
            let booking = try await client.call(["op": "get_booking", "booking": "dr-smith/1"])
            #expect(booking["booking"]?["customer"] == "", "\(booking)")
            let canceled = try await client.call(["op": "get_booking", "booking": "dr-jones/1"])
            #expect(canceled["booking"]?["customer"] == "")
            #expect(!"\(canceled)".contains(Self.alicePhone), "the cancel reason held the text")
            let waiting = try await client.call(["op": "waitlist_status", "entry": "dr-smith/w1"])
            #expect(waiting["entry"]?["customer"] == "", "\(waiting)")
            #expect(try await client.call(bobKeyed) == bobReply)
            let taken = try await client.call(Self.book("dr-smith", 9, "Carol", op: "hold"))
            #expect(taken.errorCode == "slot_unavailable")
        }
        #expect(try await restarted.terminate() == 0)
        #expect(try Self.files(under: data, containing: Self.alicePhone).isEmpty)
    }
}
