import Foundation

/// Starting Radicale and knowing when it is ready.
extension RadicaleServer {
    enum Launch {
        case ready(ChildProcess)
        case portTaken(log: String)
        case failed(log: String)
    }

    /// Plain-text htpasswd needs no extra package (bcrypt would); `delay = 0` because a refused login is something
    /// tests do on purpose, and Radicale otherwise sleeps a second on each.
    static func config(directory: URL, port: Int) -> String {
        """
        [server]
        hosts = 127.0.0.1:\(port)
        [auth]
        type = htpasswd
        htpasswd_filename = \(directory.appendingPathComponent("users").path)
        htpasswd_encryption = plain
        delay = 0
        [storage]
        filesystem_folder = \(directory.appendingPathComponent("collections").path)
        [logging]
        level = info

        """
    }

    /// Starts `python3 -m radicale` on the folder's config, appending to its log, and waits (at most 30 s: Python
    /// starts slowly on a loaded machine) until it logs that it is ready, or ends.
    static func launch(directory: URL) async throws -> Launch {
        let log = directory.appendingPathComponent("radicale.log")
        let logBytesBefore = (try? Data(contentsOf: log).count) ?? 0
        let child = try ChildProcess(
            executable: URL(fileURLWithPath: "/usr/bin/env"),
            arguments: [
                "python3", "-m", "radicale", "--config", directory.appendingPathComponent("radicale.conf").path,
            ],
            stdout: log, stderr: log)
        func newLog() -> String {
            let data = (try? Data(contentsOf: log)) ?? Data()
            return String(decoding: data.dropFirst(logBytesBefore), as: UTF8.self)
        }
        for _ in 0..<1500 {
            if newLog().contains("Radicale server ready") { return .ready(child) }
            guard child.isRunning else {
                let text = newLog()
                return text.contains("Address already in use") ? .portTaken(log: text) : .failed(log: text)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        Foundation.kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        return .failed(log: newLog())
    }
}

/// A port nothing listens on right now, from the system (bind to port 0, read it, close).
func freeLoopbackPort() -> Int? {
    let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socketDescriptor >= 0 else { return nil }
    defer { close(socketDescriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(socketDescriptor, socketAddress, length) == 0
                && getsockname(socketDescriptor, socketAddress, &length) == 0
        }
    }
    return named ? Int(UInt16(bigEndian: address.sin_port)) : nil
}
