import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Synchronization

/// A real CalDAV server for tests: Radicale (PyPI `radicale`, installed by `.ci/run`) on 127.0.0.1, with its own
/// temporary folder (storage, config, htpasswd file with the one user the test names, log), killed by PID. It can
/// be killed and started again on the same folder and port mid-test, as a calendar server going away and coming
/// back. Its helpers make raw HTTP requests, apart from slotd's CalDAV client, so that tests check that client
/// against something it did not write.
public final class RadicaleServer: Sendable {
    public struct NotReady: Error, CustomStringConvertible {
        let log: String
        public var description: String { "Radicale did not start: \(log.suffix(2000))" }
    }

    public struct RequestFailed: Error, CustomStringConvertible {
        public let method: String
        public let path: String
        public let status: Int
        public var description: String { "\(method) \(path) answered \(status)" }
    }

    public let username: String
    public let password: String
    public let directory: URL
    public let port: Int
    private let process: Mutex<ChildProcess?>
    private var configFile: URL { directory.appendingPathComponent("radicale.conf") }
    private var logFile: URL { directory.appendingPathComponent("radicale.log") }
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Radicale cannot bind port 0, so the kit picks a free port and tries again with another when something took
    /// it between the check and Radicale's bind.
    public init(username: String, password: String) async throws {
        self.username = username
        self.password = password
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("radicale-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("\(username):\(password)\n".utf8).write(to: directory.appendingPathComponent("users"))
        var lastLog = ""
        for _ in 0..<5 {
            guard let port = freeLoopbackPort() else { continue }
            try Self.config(directory: directory, port: port).write(
                to: directory.appendingPathComponent("radicale.conf"), atomically: true, encoding: .utf8)
            switch try await Self.launch(directory: directory) {
            case .ready(let child):
                self.port = port
                process = Mutex(child)
                return
            case .portTaken(let log): lastLog = log
            case .failed(let log):
                try? FileManager.default.removeItem(at: directory)
                throw NotReady(log: log)
            }
        }
        try? FileManager.default.removeItem(at: directory)
        throw NotReady(log: lastLog)
    }

    /// The URL of the calendar collection `/<user>/<name>/`.
    public func calendarURL(_ name: String) -> URL {
        baseURL.appendingPathComponent(username).appendingPathComponent(name).appendingPathComponent("")
    }

    /// Kills the process (SIGKILL) and keeps its folder, for `restart()`.
    public func kill() {
        process.withLock { child in
            if let child {
                Foundation.kill(child.processIdentifier, SIGKILL)
                child.waitUntilExit()
            }
            child = nil
        }
    }

    /// Starts Radicale again on the same folder and port (killing it first if it runs).
    public func restart() async throws {
        kill()
        for _ in 0..<20 {
            switch try await Self.launch(directory: directory) {
            case .ready(let child):
                process.withLock { $0 = child }
                return
            case .portTaken: try await Task.sleep(for: .milliseconds(250))
            case .failed(let log): throw NotReady(log: log)
            }
        }
        throw NotReady(log: "port \(port) stayed taken")
    }

    /// Kills the process and removes the folder.
    public func stop() {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Every request Radicale logged, in order, as method and path: how tests count what a sync cost.
    public func requestsReceived() -> [(method: String, path: String)] {
        let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        return log.split(separator: "\n").compactMap { line in
            guard let marker = line.range(of: " request for '"), line.contains("' received from ") else { return nil }
            let method = line[..<marker.lowerBound].split(separator: " ").last.map(String.init) ?? ""
            let path = line[marker.upperBound...].prefix { $0 != "'" }
            return (method, String(path))
        }
    }

    /// The names of the objects stored in calendar `name`, read from Radicale's storage folder.
    public func objectNames(inCalendar name: String) -> [String] {
        let folder = directory.appendingPathComponent("collections/collection-root/\(username)/\(name)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    /// MKCALENDAR `/<user>/<name>/`; returns its URL.
    @discardableResult
    public func makeCalendar(_ name: String) async throws -> URL {
        let url = calendarURL(name)
        _ = try await send(HTTPMethod(rawValue: "MKCALENDAR"), url, body: nil, expecting: [201])
        return url
    }

    /// PUT of a raw iCalendar object `<name>` into calendar `calendar`; returns the ETag Radicale sent.
    @discardableResult
    public func putObject(_ ics: String, named name: String, inCalendar calendar: String) async throws -> String? {
        try await send(.PUT, calendarURL(calendar).appendingPathComponent(name), body: ics, expecting: [201, 204])
    }

    public func deleteObject(named name: String, inCalendar calendar: String) async throws {
        _ = try await send(
            .DELETE, calendarURL(calendar).appendingPathComponent(name), body: nil, expecting: [200, 204])
    }

    private func send(_ method: HTTPMethod, _ url: URL, body: String?, expecting: Set<Int>) async throws -> String? {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        request.headers.add(
            name: "Authorization", value: "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())
        if let body {
            request.headers.add(name: "Content-Type", value: "text/calendar; charset=utf-8")
            request.body = .bytes(Array(body.utf8))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        _ = try await response.body.collect(upTo: 1024 * 1024)
        guard expecting.contains(Int(response.status.code)) else {
            throw RequestFailed(method: method.rawValue, path: url.path, status: Int(response.status.code))
        }
        return response.headers.first(name: "ETag")
    }
}
