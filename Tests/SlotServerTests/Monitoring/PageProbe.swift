import Foundation
import SlotClient
import SlotTesting
import Testing

/// A GET on the side port with any `Authorization` header, made by Python's `urllib` (a client other than ours),
/// for the operator page's API: its status, its `WWW-Authenticate` and `Content-Type` headers, and its body.
struct PageProbe {
    let status: Int
    let challenge: String?
    let contentType: String?
    let body: String

    static let script = """
        import json, sys, urllib.error, urllib.request
        port, path, authorization = sys.argv[1], sys.argv[2], sys.argv[3]
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
        if authorization:
            request.add_header("Authorization", authorization)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, headers, body = response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, error.headers, error.read().decode()
        print(json.dumps({"status": status, "challenge": headers.get("WWW-Authenticate"),
                          "type": headers.get("Content-Type"), "body": body}))
        """

    static func get(port: Int, _ path: String, authorization: String? = nil) async throws -> PageProbe {
        let run = try await ToolProcess.runSystem(
            "python3", ["-c", script, String(port), path, authorization ?? ""], timeoutSeconds: 30)
        try #require(run.status == 0, "GET \(path) on \(port): \(run.stderr.suffix(300))")
        let result = try JSONValue.parse(run.stdout)
        return PageProbe(
            status: try #require(result["status"]?.int), challenge: result["challenge"]?.string,
            contentType: result["type"]?.string, body: result["body"]?.string ?? "")
    }

    /// `Authorization: Basic` with `secret` as the password, as a browser sends what its prompt was given.
    static func basic(_ secret: String, user: String = "ops") -> String {
        "Basic " + Data("\(user):\(secret)".utf8).base64EncodedString()
    }

    func json() throws -> JSONValue { try JSONValue.parse(body) }
}
