import Foundation
import Logging
import SlotWire

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
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key("ts")
        writer.string(Self.timestamp(Date()))
        writer.key("level")
        writer.string(event.level.rawValue)
        writer.key("service")
        writer.string(label)
        writer.key("message")
        writer.string(event.message.description)
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            writer.key(key)
            writer.string(value.description)
        }
        if event.level >= .error {
            writer.key("source")
            writer.string("\(event.file):\(event.line)")
        }
        writer.endObject()
        writer.newline()
        FileHandle.standardError.write(Data(writer.bytes))
    }

    static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1_000).rounded(.down))
        let seconds = milliseconds >= 0 ? milliseconds / 1_000 : (milliseconds - 999) / 1_000
        let whole = RFC3339.format(.init(secondsSinceEpoch: seconds))
        let fraction = String(milliseconds - seconds * 1_000)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - fraction.count) + fraction + "Z"
    }
}
