import Foundation
import SlotClient
import SlotTesting
import Testing

/// A GET on the side port made by Python's `urllib`, with `/metrics` parsed by the `prometheus_client` package's
/// own exposition parser: what a real scraper reads, not what our code thinks it wrote.
struct HTTPProbe {
    let status: Int
    let body: String
    /// `/metrics` only: every sample, as the parser read it.
    let samples: [Sample]

    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    static let script = """
        import json, os, signal, socket, sys, time, urllib.error, urllib.request
        port, path, token, wanted, stop = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
        body_bytes, header_bytes = int(sys.argv[6]), int(sys.argv[7])
        if stop:
            # A client that keeps its connection open, then SIGTERM: the server waits for this client to close.
            tcp_port, pid = stop.split(":")
            client = socket.create_connection(("127.0.0.1", int(tcp_port)))
            client.sendall(b'{"op":"ping"}\\n')
            client.recv(100)
            os.kill(int(pid), signal.SIGTERM)

        def get():
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", data=b"x" * body_bytes if body_bytes else None)
            if header_bytes:
                request.add_header("X-Padding", "p" * header_bytes)
            if token:
                request.add_header("Authorization", "Bearer " + token)
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, error.read().decode()
            except (ConnectionError, urllib.error.URLError) as error:
                if not (body_bytes or header_bytes):
                    raise
                return 0, repr(error)  # closed by the server before its reply was read

        deadline = time.monotonic() + 10
        status, body = get()
        while wanted and status != wanted and time.monotonic() < deadline:
            time.sleep(0.05)
            status, body = get()
        result = {"status": status, "body": body, "samples": []}
        if path == "/metrics" and status == 200:
            from prometheus_client.parser import text_string_to_metric_families
            result["samples"] = [
                {"name": sample.name, "labels": sample.labels, "value": sample.value}
                for family in text_string_to_metric_families(body)
                for sample in family.samples
            ]
        print(json.dumps(result))
        """

    /// GETs `path` (POSTs `bodyBytes` bytes when not 0, adds a header of `headerBytes` when not 0); with `until`, again every 50 ms (for up to 10 s) until the status is that one. With
    /// `stopping`, first opens a connection to that TCP port, pings, and sends SIGTERM to that process, keeping the
    /// connection open while it probes.
    static func get(
        port: Int, _ path: String, token: String? = nil, until status: Int? = nil,
        stopping: (tcpPort: Int, pid: Int32)? = nil, bodyBytes: Int = 0, headerBytes: Int = 0
    ) async throws -> HTTPProbe {
        let stop = stopping.map { "\($0.tcpPort):\($0.pid)" } ?? ""
        let run = try await ToolProcess.runSystem(
            "python3",
            [
                "-c", script, String(port), path, token ?? "", String(status ?? 0), stop, String(bodyBytes),
                String(headerBytes),
            ], timeoutSeconds: 30)
        try #require(run.status == 0, "GET \(path) on \(port): \(run.stderr.suffix(300))")
        let result = try JSONValue.parse(run.stdout)
        let samples = (result["samples"]?.array ?? []).map { sample in
            var labels: [String: String] = [:]
            if case .object(let object) = sample["labels"] {
                for (key, value) in object { labels[key] = value.string }
            }
            var value = Double.nan
            if case .number(let number) = sample["value"] { value = number }
            return Sample(name: sample["name"]?.string ?? "", labels: labels, value: value)
        }
        return HTTPProbe(
            status: try #require(result["status"]?.int), body: result["body"]?.string ?? "", samples: samples)
    }

    /// The value of the one sample named `name` with exactly these labels; nil if there is none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// The parsed JSON body (`/health`, `/ready`, refusals).
    func json() throws -> JSONValue { try JSONValue.parse(body) }
}
