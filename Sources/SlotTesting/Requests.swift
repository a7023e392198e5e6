import SlotClient

/// Request builders with the fields most tests share; `extra` adds or replaces fields.
public enum Requests {
    /// `create_resource` of `id` in zone `tz`.
    public static func createResource(_ id: String, tz: String = "UTC", extra: [String: JSONValue] = [:]) -> JSONValue {
        var object: [String: JSONValue] = ["op": "create_resource", "resource": .string(id), "tz": .string(tz)]
        object.merge(extra) { _, new in new }
        return .object(object)
    }

    /// A `hold` (or, with `op`, a `book`) of `resource` from `start` to `end` (RFC 3339 text) for `customer`.
    public static func hold(
        _ resource: String, _ start: String, _ end: String, op: String = "hold", customer: String = "ann",
        extra: [String: JSONValue] = [:]
    ) -> JSONValue {
        var object: [String: JSONValue] = [
            "op": .string(op), "resource": .string(resource), "start": .string(start), "end": .string(end),
            "customer": .string(customer),
        ]
        object.merge(extra) { _, new in new }
        return .object(object)
    }

    /// A change of one booking's state by id: `confirm`, `cancel`, `complete`, `no_show`, or `reschedule` (with
    /// `start` and `end` in `extra`).
    public static func move(_ op: String, _ booking: String, extra: [String: JSONValue] = [:]) -> JSONValue {
        var object: [String: JSONValue] = ["op": .string(op), "booking": .string(booking)]
        object.merge(extra) { _, new in new }
        return .object(object)
    }
}
