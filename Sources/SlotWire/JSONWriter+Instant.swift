import SlotDomain
@_exported import SlotJSON

extension JSONWriter {
    /// An instant as an RFC 3339 string in UTC, e.g. `"2027-01-11T08:00:00Z"`.
    public mutating func instant(_ value: Instant) {
        raw { bytes in
            bytes.append(UInt8(ascii: "\""))
            RFC3339.append(value, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
    }
}
