import SlotClient
import SlotServer
import SlotTesting
import Testing

/// Wall-time inputs and local-time replies through the real server, on Berlin's 2027 DST days.
@Suite struct LocalTimeProtocolTests {
    @Test func wallTimesResolveAcrossDSTAndRepliesShowThem() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                _ = try await client.call(
                    Requests.createResource("berlin", tz: "Europe/Berlin", extra: ["slot_minutes": 30]))
                // Spring forward on 2027-03-28: 02:30 does not exist.
                let gap = try await client.call([
                    "op": "hold", "resource": "berlin", "customer": "c", "tz": "Europe/Berlin",
                    "start_local": "2027-03-28T02:30", "end_local": "2027-03-28T03:30",
                ])
                #expect(gap.errorCode == "nonexistent_local_time")
                #expect(gap["error"]?["field"] == "start_local")
                // Fall back on 2027-10-31: 02:30 happens twice.
                let twice: JSONValue = [
                    "op": "book", "resource": "berlin", "customer": "c", "tz": "Europe/Berlin",
                    "start_local": "2027-10-31T02:30", "end_local": "2027-10-31T04:00",
                ]
                let ambiguous = try await client.call(twice)
                #expect(ambiguous.errorCode == "ambiguous_local_time")
                #expect(ambiguous["error"]?["earlier"] == "2027-10-31T00:30:00Z")
                #expect(ambiguous["error"]?["later"] == "2027-10-31T01:30:00Z")
                guard case .object(var later) = twice else { return }
                later["fold"] = "later"
                let booked = try await client.call(.object(later))
                #expect(booked["booking"]?["start"] == "2027-10-31T01:30:00Z")
                #expect(booked["booking"]?["start_local"] == "2027-10-31T02:30:00+01:00")
                #expect(booked["booking"]?["end_local"] == "2027-10-31T04:00:00+01:00")
                // A summer booking in wall time, shown in another zone on request.
                let summer = try await client.call([
                    "op": "book", "resource": "berlin", "customer": "d", "tz": "America/New_York",
                    "start_local": "2027-07-01T04:00", "end_local": "2027-07-01T05:00",
                ])
                #expect(summer["booking"]?["start"] == "2027-07-01T08:00:00Z")
                #expect(summer["booking"]?["start_local"] == "2027-07-01T04:00:00-04:00")
                let slots = try await client.call([
                    "op": "availability", "resource": "berlin", "duration_minutes": 60, "tz": "Europe/Berlin",
                    "from_local": "2027-07-01T09:00", "to_local": "2027-07-01T11:00",
                ])
                // The 10:00–11:00 booking above leaves only 09:00 for an hour between 09:00 and 11:00.
                #expect(slots["slots_local"] == ["2027-07-01T09:00:00+02:00"])
                let both = try await client.call([
                    "op": "hold", "resource": "berlin", "customer": "c", "tz": "Europe/Berlin",
                    "start": "2027-07-02T08:00:00Z", "start_local": "2027-07-02T10:00", "end_local": "2027-07-02T11:00",
                ])
                #expect(both["error"]?["field"] == "start_local")
                let noZone = try await client.call([
                    "op": "hold", "resource": "berlin", "customer": "c", "start_local": "2027-07-02T10:00",
                    "end_local": "2027-07-02T11:00",
                ])
                #expect(noZone["error"]?["field"] == "tz")
            }
        }
    }
}
