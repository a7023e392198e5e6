import Foundation
import SlotClient
import SlotTesting
import Testing

/// `--otlp-endpoint`: a real `slotd` exports one span per request over OTLP/HTTP (protobuf) to a small receiver
/// the test starts, which decodes each export with the `opentelemetry-proto` package (installed by `.ci/run`).
@Suite(.serialized) struct TracingTests {
    static let trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    /// Listens on a free loopback port (written to `port`), and for each POST to /v1/traces writes one JSON line
    /// per span to `spans`: ids in hex, name, kind and string attributes. Answers every export with 200.
    static let receiver = """
        import http.server, json, sys
        from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
        port_file, spans_file = sys.argv[1], sys.argv[2]

        class Receiver(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                lines = []
                if self.path == "/v1/traces":
                    export = trace_service_pb2.ExportTraceServiceRequest()
                    export.ParseFromString(body)
                    for resource_spans in export.resource_spans:
                        service = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
                        for scope_spans in resource_spans.scope_spans:
                            for span in scope_spans.spans:
                                lines.append(json.dumps({
                                    "path": self.path, "service": service.get("service.name", ""),
                                    "trace_id": span.trace_id.hex(), "span_id": span.span_id.hex(),
                                    "parent_span_id": span.parent_span_id.hex(), "name": span.name,
                                    "kind": span.kind, "duration_ns": span.end_time_unix_nano - span.start_time_unix_nano,
                                    "attributes": {a.key: a.value.string_value for a in span.attributes},
                                }))
                else:
                    lines.append(json.dumps({"path": self.path}))
                with open(spans_file, "a") as out:
                    for line in lines:
                        out.write(line + "\\n")
                reply = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
        with open(port_file + ".tmp", "w") as out:
            out.write(str(server.server_address[1]))
        import os
        os.rename(port_file + ".tmp", port_file)
        server.serve_forever()
        """

    /// The receiver, started on a free port; stopped by PID when the test is done.
    struct Receiver {
        let process: ChildProcess
        let port: Int
        let spans: URL

        init(directory: URL) async throws {
            let script = directory.appendingPathComponent("receiver.py")
            try Data(TracingTests.receiver.utf8).write(to: script)
            let portFile = directory.appendingPathComponent("receiver-port")
            spans = directory.appendingPathComponent("spans.jsonl")
            process = try ChildProcess(
                executable: URL(fileURLWithPath: "/usr/bin/env"),
                arguments: ["python3", script.path, portFile.path, spans.path], stdout: nil,
                stderr: directory.appendingPathComponent("receiver-stderr.txt"))
            for _ in 0..<500 {
                if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) {
                    self.port = port
                    return
                }
                guard process.isRunning else { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw ReceiverNotListening()
        }

        /// The spans received so far.
        func received() -> [JSONValue] {
            ((try? String(contentsOf: spans, encoding: .utf8)) ?? "").split(separator: "\n")
                .compactMap { try? JSONValue.parse(String($0)) }
        }

        /// SIGKILL: it has nothing to flush, and it may have inherited an ignored SIGTERM from the test process.
        func stop() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    struct ReceiverNotListening: Error {}

    @Test func eachRequestIsASpanThatJoinsTheClientsTrace() async throws {
        let directory = TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let receiver = try await Receiver(directory: directory)
        defer { receiver.stop() }
        let server = try await SlotdProcess(
            dataDirectory: directory, extraArguments: ["--otlp-endpoint", "http://127.0.0.1:\(receiver.port)"])
        let slot = ("2027-01-05T10:00:00Z", "2027-01-05T10:30:00Z")
        try await SlotConnection.withConnection(port: server.port) { client in
            _ = try await client.call(Requests.createResource("r"))
            let book = Requests.hold("r", slot.0, slot.1, op: "book", extra: ["id": "b", "trace": .string(Self.trace)])
            #expect(try await client.call(book)["ok"] == true)
            #expect(try await client.call(book)["error"]?["code"] == "slot_unavailable")
        }
        // A graceful stop flushes the spans not yet exported.
        #expect(try await server.terminate() == 0)
        var spans: [JSONValue] = []
        for _ in 0..<250 {
            spans = receiver.received()
            if spans.count >= 3 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(spans.allSatisfy { $0["path"] == "/v1/traces" })
        #expect(spans.count == 3)
        let booked = spans.filter { $0["name"] == "book" }
        #expect(booked.count == 2)
        for span in booked {
            #expect(span["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736")
            #expect(span["parent_span_id"] == "00f067aa0ba902b7")
            #expect(span["span_id"] != "00f067aa0ba902b7")
            #expect(span["kind"] == 2)  // SPAN_KIND_SERVER
            #expect(span["service"] == "slotd")
            #expect(span["attributes"]?["op"] == "book")
            #expect(span["attributes"]?["resource.id"] == "r")
            #expect(span["attributes"]?["client.id"] == "b")
            #expect((span["duration_ns"]?.int ?? 0) > 0)
        }
        #expect(booked.map { $0["attributes"]?["code"] } == ["ok", "slot_unavailable"])
        let connection = try #require(booked.first?["attributes"]?["request.id"]?.string?.split(separator: ".").first)
        #expect(
            booked.map { $0["attributes"]?["request.id"] } == [.string("\(connection).2"), .string("\(connection).3")])
        // Without a trace the span starts a trace of its own.
        let created = try #require(spans.first { $0["name"] == "create_resource" })
        #expect(created["parent_span_id"] == "")
        #expect(created["trace_id"] != "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(created["attributes"]?["code"] == "ok")
    }
}
