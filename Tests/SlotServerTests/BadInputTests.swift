import Foundation
import SlotClient
import SlotServer
import SlotTesting
import Testing

/// Garbage in: every bad line gets a structured error, and the server keeps serving everybody else.
@Suite struct BadInputTests {
    static let badLines: [(String, String)] = [
        ("{", "bad_json"),
        ("{\"id\":1,\"op\":\"ping\"", "bad_json"),
        ("\u{FF}\u{FE}garbage", "bad_json"),
        ("null", "invalid_request"),
        ("42", "invalid_request"),
        ("{\"id\":[1],\"op\":\"ping\"}", "invalid_request"),
        ("{\"id\":1,\"op\":7}", "invalid_request"),
        ("{\"id\":1,\"op\":\"teleport\"}", "unknown_op"),
        (
            "{\"id\":1,\"op\":\"hold\",\"resource\":\"r\",\"start\":\"2027-01-05T10:00:00Z\",\"end\":\"2027-01-05T10:30:00Z\",\"customer\":\"c\",\"ttl_seconds\":123456789012345678901234567890}",
            "invalid_request"
        ),
        (
            "{\"id\":1,\"op\":\"hold\",\"resource\":\"r\",\"start\":\"yesterday\",\"end\":\"2027-01-05T10:30:00Z\",\"customer\":\"c\"}",
            "invalid_request"
        ),
        (
            "{\"id\":1,\"op\":\"hold\",\"resource\":\"r\",\"start\":\"2027-02-30T10:00:00Z\",\"end\":\"2027-01-05T10:30:00Z\",\"customer\":\"c\"}",
            "invalid_request"
        ),
        (
            "{\"id\":1,\"op\":\"hold\",\"resource\":{},\"start\":\"2027-01-05T10:00:00Z\",\"end\":\"2027-01-05T10:30:00Z\",\"customer\":\"c\"}",
            "invalid_request"
        ),
        ("{\"id\":1,\"op\":\"create_resource\",\"resource\":\"z\",\"tz\":\"Not/AZone\"}", "unknown_time_zone"),
        ("{\"id\":1,\"op\":\"create_resource\",\"resource\":\"z\",\"tz\":\"UTC\",\"capacity\":-1}", "invalid_request"),
        (
            "{\"id\":1,\"op\":\"availability\",\"resource\":\"r\",\"from\":\"2027-01-05T00:00:00Z\",\"to\":\"2027-01-05T10:00:00Z\",\"duration_minutes\":1e400}",
            "invalid_request"
        ),
        (String(repeating: "[", count: 100_000), "line_too_long"),
    ]

    @Test func everyBadLineGetsItsErrorAndOthersAreServed() async throws {
        try await TestServer.run { server in
            try await server.connect { client in _ = try await client.call(Requests.createResource("r")) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                // A healthy client keeps booking while the garbage arrives.
                group.addTask {
                    try await server.connect { client in
                        for hour in 10..<20 {
                            let reply = try await client.call(
                                Requests.hold("r", "2027-01-05T\(hour):00:00Z", "2027-01-05T\(hour):15:00Z", op: "book")
                            )
                            #expect(reply.ok)
                        }
                    }
                }
                for (line, code) in Self.badLines {
                    group.addTask {
                        try await server.connect { client in
                            try await client.sendRaw(Array(line.utf8) + [UInt8(ascii: "\n")])
                            let reply = try await client.receive()
                            #expect(reply.errorCode == code, "\(line.prefix(80)) → \(reply)")
                            #expect(reply["error"]?["message"]?.string?.isEmpty == false)
                            if code == "line_too_long" {
                                await #expect(throws: (any Error).self) { _ = try await client.receiveLine() }
                            } else {
                                #expect(
                                    try await client.call(["id": "after", "op": "ping"]) == ["id": "after", "ok": true])
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    /// A name given twice in one object, at any depth, is refused naming it, and nothing is done: taking either
    /// value could make this server and a proxy that checked the line see different requests.
    @Test func aRepeatedMemberIsRefusedNamingIt() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                _ = try await client.call(Requests.createResource("r"))
                let lines = [
                    (#"{"id":1,"op":"ping","op":"stats"}"#, "op"),
                    (
                        #"{"id":2,"op":"set_weekly_hours","resource":"r","weekly_hours":{"mon":[["09:00","12:00"]],"#
                            + #""mon":[["13:00","17:00"]]}}"#, "mon"
                    ),
                ]
                for (line, name) in lines {
                    try await client.sendRaw(Array(line.utf8) + [UInt8(ascii: "\n")])
                    let reply = try await client.receive()
                    #expect(reply.errorCode == "invalid_request", "\(reply)")
                    #expect(reply["error"]?["field"] == .string(name))
                    #expect(reply["error"]?["message"] == .string("\(name) appears more than once"))
                }
                let rules = try await client.call(["op": "get_rules", "resource": "r"])
                #expect(rules["rules"]?["weekly_hours"] == nil || rules["rules"]?["weekly_hours"]?["mon"] == nil)
            }
        }
    }

    @Test func aLongLineWithoutNewlineIsCutOffAtTheLimit() async throws {
        try await TestServer.run(configuration: TestServer.configuration { $0.lineBytesMax = 1_024 }) { server in
            try await server.connect { client in
                try await client.sendRaw(Array(repeating: UInt8(ascii: "x"), count: 4_096))
                let reply = try await client.receive()
                #expect(reply.errorCode == "line_too_long")
                #expect(reply["error"]?["limit_bytes"] == "1024")
            }
            // A line just under the limit is fine.
            try await server.connect { client in
                let padded = "{\"id\":1,\"op\":\"ping\"" + String(repeating: " ", count: 990) + "}\n"
                try await client.sendRaw(Array(padded.utf8))
                #expect(try await client.receive() == ["id": 1, "ok": true])
            }
        }
    }

    @Test func connectionsBeyondTheLimitAreToldOverloaded() async throws {
        try await TestServer.run(configuration: TestServer.configuration { $0.connectionsMax = 2 }) { server in
            try await server.connect { first in
                #expect(try await first.call(["op": "ping"]).ok)
                try await server.connect { second in
                    #expect(try await second.call(["op": "ping"]).ok)
                    try await server.connect { third in
                        let reply = try await third.receive()
                        #expect(reply.errorCode == "overloaded")
                    }
                    #expect(try await second.call(["op": "ping"]).ok)
                }
            }
        }
    }

    @Test func blankLinesAreIgnoredAndCRLFIsAccepted() async throws {
        try await TestServer.run { server in
            try await server.connect { client in
                try await client.sendRaw(Array("\n   \n{\"id\":5,\"op\":\"ping\"}\r\n".utf8))
                #expect(try await client.receive() == ["id": 5, "ok": true])
            }
        }
    }
}
