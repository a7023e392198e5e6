import ArgumentParser
import SlotDomain
import SlotWire

/// An RFC 3339 instant on the command line, checked by the same parser the server uses.
struct InstantArgument: ExpressibleByArgument, Sendable {
    let instant: Instant

    init?(argument: String) {
        guard let parsed = RFC3339.parse(argument) else { return nil }
        instant = parsed.instant
    }
}

/// A resource id on the command line, checked by the domain's own rule.
struct ResourceArgument: ExpressibleByArgument, Sendable {
    let id: ResourceID

    init?(argument: String) {
        guard let id = ResourceID(argument) else { return nil }
        self.id = id
    }
}

/// A booking id (`resource/sequence`) on the command line.
struct BookingArgument: ExpressibleByArgument, Sendable {
    let id: BookingID

    init?(argument: String) {
        guard let id = BookingID(parsing: argument) else { return nil }
        self.id = id
    }
}
