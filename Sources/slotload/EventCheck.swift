/// What slotload keeps of one event line of a subscriber, found by scanning the bytes slotd writes (as
/// `ReplyFields` does): the subscribers read every event of the run on the machine the server runs on.
struct SeenEvent: Sendable, Equatable {
    var seq: UInt64
    /// The run's booking the event is about; nil for events of no booking of the run (other resources, groups,
    /// resources and rules), which count in the totals only.
    var booking: BookingRef?
    var state: String
    /// How many history entries of the booking this event stands for: a `booking.confirmed` with no `previous`
    /// was made by `book`, whose history has two entries (`null → pending_confirmation → confirmed`); every other
    /// booking change has one; a reminder has none.
    var transitions: Int
    /// `booking.held`, `waitlist.promoted`, or a `booking.confirmed` with no `previous`.
    var creates: Bool

    static let lineStart = Array(#"{"event":"#.utf8)
    private static let seqKey = Array(#""seq":"#.utf8)
    private static let typeKey = Array(#""type":""#.utf8)
    private static let resourceKey = Array(#""resource":""#.utf8)
    private static let bookingKey = Array(#""booking":{"#.utf8)
    private static let idKey = Array(#""id":""#.utf8)
    private static let stateKey = Array(#""state":""#.utf8)
    private static let previousKey = Array(#""previous":{"#.utf8)

    /// The event's type and, when it is about a booking of `resources`, what the check needs of it.
    static func parse(_ line: [UInt8], resources: [String: Int]) -> (type: String, event: SeenEvent?) {
        let type = ReplyFields.valueRange(after: typeKey, in: line, from: 0).map { text(line[$0]) } ?? "?"
        guard let seqAt = ReplyFields.find(seqKey, in: line, from: 0) else { return (type, nil) }
        var seq: UInt64 = 0
        var index = seqAt + seqKey.count
        while index < line.count, line[index] >= UInt8(ascii: "0"), line[index] <= UInt8(ascii: "9") {
            seq = seq &* 10 &+ UInt64(line[index] - UInt8(ascii: "0"))
            index += 1
        }
        var event = SeenEvent(seq: seq, booking: nil, state: "", transitions: 0, creates: false)
        guard type.hasPrefix("booking.") || type == "waitlist.promoted",
            let resource = ReplyFields.valueRange(after: resourceKey, in: line, from: 0).flatMap({
                resources[text(line[$0])]
            }),
            let bookingAt = ReplyFields.find(bookingKey, in: line, from: 0),
            let id = ReplyFields.valueRange(after: idKey, in: line, from: bookingAt),
            let slash = line[id].lastIndex(of: UInt8(ascii: "/")),
            let sequence = UInt64(text(line[(slash + 1)..<id.upperBound]))
        else { return (type, event) }
        event.booking = BookingRef(resource: resource, sequence: sequence)
        event.state = ReplyFields.valueRange(after: stateKey, in: line, from: bookingAt).map { text(line[$0]) } ?? "?"
        let hasPrevious = ReplyFields.find(previousKey, in: line, from: 0) != nil
        switch type {
        case "booking.reminder": event.transitions = 0
        case "booking.confirmed" where !hasPrevious: (event.transitions, event.creates) = (2, true)
        case "booking.held", "waitlist.promoted": (event.transitions, event.creates) = (1, true)
        default: event.transitions = 1
        }
        return (type, event)
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
}

/// A booking as the end-of-run reading (`get_booking`) shows it.
struct FinalBooking: Sendable, Equatable {
    var state: String
    /// Entries in its history, those left out (`history_omitted`) included.
    var transitions: Int
}

/// What one subscriber saw in the run.
struct SubscriberLog: Sendable {
    /// The subscription's `from_seq`: the head when it started.
    var fromSeq: UInt64 = 0
    /// Every event line, in the order read.
    var events: [SeenEvent] = []
    var eventLines = 0
    var lagged = false
    /// Why the subscription ended before slotload ended it, if it did.
    var failure: String?
    /// `unsubscribe`'s `last_seq`.
    var lastSeq: UInt64?
}

/// The check of one subscriber against the end-of-run reading: seqs strictly increasing after `from_seq`, no
/// `stream.lagged`, and every committed change of the run's bookings seen exactly once. Only events up to
/// `headSeq` (the newest event once the reading was done) are judged: later ones (a sweep expiring a hold) are
/// of changes the reading did not see. `notJudged` are bookings whose state may have changed during the reading
/// (holds about to lapse).
enum EventCheck {
    struct Seen {
        var creations = 0
        var transitions = 0
        var lastState = ""
    }

    static func problems(
        subscriber: Int, log: SubscriberLog, finals: [BookingRef: FinalBooking], notJudged: Set<BookingRef>,
        headSeq: UInt64, name: (BookingRef) -> String
    ) -> [String] {
        var problems: [String] = []
        func problem(_ text: String) {
            if problems.count < Verifier.reasonsMax { problems.append("subscriber \(subscriber): " + text) }
        }
        if let failure = log.failure { problem(failure) }
        if log.lagged { problem("was sent stream.lagged") }
        var previous = log.fromSeq
        var seen: [BookingRef: Seen] = [:]
        for event in log.events {
            if event.seq <= previous { problem("event seq \(event.seq) came after \(previous)") }
            previous = max(previous, event.seq)
            guard event.seq <= headSeq, let booking = event.booking, !notJudged.contains(booking) else { continue }
            seen[booking, default: Seen()].creations += event.creates ? 1 : 0
            seen[booking, default: Seen()].transitions += event.transitions
            if event.transitions > 0 { seen[booking, default: Seen()].lastState = event.state }
        }
        // `last_seq` counts the events the subscription passed over (another tenant's), as well as those sent.
        if max(previous, log.lastSeq ?? 0) < headSeq {
            problem("saw events up to seq \(previous), the head was \(headSeq)")
        }
        let order: (BookingRef, BookingRef) -> Bool = { ($0.resource, $0.sequence) < ($1.resource, $1.sequence) }
        for booking in finals.keys.sorted(by: order) where !notJudged.contains(booking) {
            let final = finals[booking]!
            guard let mine = seen.removeValue(forKey: booking) else {
                problem("saw no event of \(name(booking)), which is \(final.state)")
                continue
            }
            if mine.creations != 1 { problem("saw \(name(booking)) created \(mine.creations) times") }
            if mine.transitions != final.transitions {
                problem(
                    "saw events for \(mine.transitions) changes of \(name(booking)), its history has "
                        + "\(final.transitions)")
            }
            if mine.lastState != final.state {
                problem("saw \(name(booking)) last as \(mine.lastState), it is \(final.state)")
            }
        }
        for booking in seen.keys.sorted(by: order) {
            problem("saw events of \(name(booking)), which the reading does not find")
        }
        return problems
    }
}
