import SlotDomain
import SlotWire

/// Request objects, written by hand: slotload must spend as little CPU per request as it can. Each appends one
/// JSON object with no line end, so the same text goes on a line of its own or into a `batch` line's `ops`.
enum RequestText {
    static func time(_ seconds: Int64) -> String { RFC3339.format(Instant(secondsSinceEpoch: seconds)) }

    /// A `book` or `hold` object, appended as bytes: the hot path of every booking scenario.
    static func appendBooking(
        _ op: String, resource: String, start: Int64, end: Int64, customer: String, to bytes: inout [UInt8]
    ) {
        bytes.append(contentsOf: #"{"op":""#.utf8)
        bytes.append(contentsOf: op.utf8)
        bytes.append(contentsOf: #"","resource":""#.utf8)
        bytes.append(contentsOf: resource.utf8)
        bytes.append(UInt8(ascii: "\""))
        appendTimesAndCustomer(start: start, end: end, customer: customer, to: &bytes)
    }

    /// A `hold` of several resources at once: the server makes it a group.
    static func appendGroupHold(
        resources: [String], start: Int64, end: Int64, customer: String, to bytes: inout [UInt8]
    ) {
        bytes.append(contentsOf: #"{"op":"hold","resources":[""#.utf8)
        for (position, resource) in resources.enumerated() {
            if position > 0 { bytes.append(contentsOf: #"",""#.utf8) }
            bytes.append(contentsOf: resource.utf8)
        }
        bytes.append(contentsOf: #""]"#.utf8)
        appendTimesAndCustomer(start: start, end: end, customer: customer, to: &bytes)
    }

    /// The fields every new booking ends with, and the object's closing brace.
    private static func appendTimesAndCustomer(start: Int64, end: Int64, customer: String, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: #","start":""#.utf8)
        RFC3339.append(Instant(secondsSinceEpoch: start), to: &bytes)
        bytes.append(contentsOf: #"","end":""#.utf8)
        RFC3339.append(Instant(secondsSinceEpoch: end), to: &bytes)
        bytes.append(contentsOf: #"","customer":""#.utf8)
        bytes.append(contentsOf: customer.utf8)
        bytes.append(contentsOf: "\"}".utf8)
    }

    /// `confirm` or `cancel` of a booking.
    static func move(_ op: String, booking: String) -> String {
        "{\"op\":\"\(op)\",\"booking\":\"\(booking)\"}"
    }

    /// `confirm_group` or `cancel_group`.
    static func groupMove(_ op: String, group: String) -> String {
        "{\"op\":\"\(op)\",\"group\":\"\(group)\"}"
    }

    static func reschedule(booking: String, start: Int64, end: Int64) -> String {
        "{\"op\":\"reschedule\",\"booking\":\"\(booking)\",\"start\":\"\(time(start))\",\"end\":\"\(time(end))\"}"
    }

    static func availability(resource: String, from: Int64, durationMinutes: Int) -> String {
        "{\"op\":\"availability\",\"resource\":\"\(resource)\",\"from\":\"\(time(from))\","
            + "\"to\":\"\(time(from + 86_400))\",\"duration_minutes\":\(durationMinutes)}"
    }

    /// What opens a `batch` line: its ops follow, separated by commas, then `batchClose`. Not atomic: slotload's
    /// ops are independent, and the server answers each as if it had come on a line of its own.
    static let batchOpen = Array(#"{"op":"batch","atomic":false,"ops":["#.utf8)
    static let batchClose = Array("]}".utf8)
}
