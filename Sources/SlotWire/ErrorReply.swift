import SlotDomain

extension ReplyEncoder {
    /// The `error` object.
    static func write(_ error: WireError, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("code")
        writer.string(error.code)
        writer.key("message")
        writer.string(error.message)
        // Text and instant details sorted together by name; a name in both is written once, as text.
        var names = Array(error.details.keys)
        names.append(contentsOf: error.instantDetails.keys.lazy.filter { error.details[$0] == nil })
        names.sort()
        for name in names {
            writer.key(name)
            if let text = error.details[name] {
                writer.string(text)
            } else if let instant = error.instantDetails[name] {
                writer.instant(instant)
            }
        }
        if !error.conflicts.isEmpty {
            writer.key("conflicts")
            write(error.conflicts, to: &writer)
        }
        if let index = error.index {
            writer.key("index")
            writer.integer(index)
        }
        if let cause = error.causes.first {
            writer.key("cause")
            write(cause, to: &writer)
        }
        writer.endObject()
    }
}
