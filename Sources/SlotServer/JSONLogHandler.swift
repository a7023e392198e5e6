import Foundation
import Logging
import SlotWire

#if canImport(Glibc)
    import Glibc
#endif

/// swift-log handler writing one JSON object per line to stderr: `ts` (UTC, milliseconds), `level`, `service`,
/// `message`, then the metadata with its dotted keys (`request.id`, `resource.id`, …). Each line goes out in a
/// single write so lines from different threads never interleave.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        Self.writeToStandardError(line(for: event, atMilliseconds: Self.nowMilliseconds()))
    }

    /// The line for `event`, newline included, written straight into one byte array: no merged copy of the
    /// metadata, no `String` timestamp, no `FileHandle` or `Data`. Each rejection is logged at info, and in a
    /// flash sale most requests are rejected (docs/decisions/0012-logging-off-the-hot-path.md).
    func line(for event: LogEvent, atMilliseconds milliseconds: Int64) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key("ts")
        writer.raw { Self.appendTimestamp(milliseconds, to: &$0) }
        writer.key("level")
        writer.string(event.level.rawValue)
        writer.key("service")
        writer.string(label)
        writer.key("message")
        writer.string(event.message.description)
        for (key, value) in Self.sortedMetadata(metadata, event.metadata) {
            writer.key(key)
            writer.string(value.description)
        }
        if event.level >= .error {
            writer.key("source")
            writer.string("\(event.file):\(event.line)")
        }
        writer.endObject()
        writer.newline()
        return writer.bytes
    }

    /// The handler's metadata and the event's (the event's wins on a shared key), sorted by key, so that the
    /// same event always gives the same line.
    static func sortedMetadata(_ base: Logger.Metadata, _ extra: Logger.Metadata?)
        -> [(key: String, value: Logger.MetadataValue)]
    {
        var pairs: [(key: String, value: Logger.MetadataValue)] = []
        pairs.reserveCapacity(base.count + (extra?.count ?? 0))
        if let extra {
            for pair in base where extra[pair.key] == nil { pairs.append(pair) }
            for pair in extra { pairs.append(pair) }
        } else {
            for pair in base { pairs.append(pair) }
        }
        pairs.sort { $0.key < $1.key }
        return pairs
    }

    /// `"2026-11-22T05:01:10.715Z"`, quotes included: UTC, milliseconds rounded down (also before 1970).
    static func appendTimestamp(_ milliseconds: Int64, to bytes: inout [UInt8]) {
        let seconds = milliseconds >= 0 ? milliseconds / 1_000 : (milliseconds - 999) / 1_000
        let fraction = Int(milliseconds - seconds * 1_000)
        bytes.append(UInt8(ascii: "\""))
        RFC3339.append(.init(secondsSinceEpoch: seconds), to: &bytes)
        bytes.removeLast()  // the "Z": the fraction goes first
        bytes.append(UInt8(ascii: "."))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction / 100))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction % 10))
        bytes.append(contentsOf: [UInt8(ascii: "Z"), UInt8(ascii: "\"")])
    }

    static func nowMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// One `write` for the whole line, so lines from different threads never interleave (a pipe keeps writes of
    /// up to 4 KiB whole); continued only if the kernel took part of it. A log that cannot be written is dropped:
    /// logging must never stop the server.
    static func writeToStandardError(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = write(STDERR_FILENO, base + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
