import SlotDomain
import SlotWire

/// Routes a decoded request to the directory or to the resource actor that owns it.
public struct Dispatcher: Sendable {
    public let directory: ResourceDirectory

    public init(directory: ResourceDirectory) {
        self.directory = directory
    }

    public func handle(_ operation: Operation) async -> Outcome {
        switch operation {
        case .ping:
            return Outcome(reply: .success(.empty), barrier: 0)
        case .createResource(let settings, let stamp):
            return directory.create(settings, stamp: stamp)
        case .getResource(let id):
            return directory.get(id)
        case .listResources(let after, let limit):
            return directory.list(after: after, limit: limit)
        case .hold(let resource, let command):
            guard let actor = directory.actor(resource) else { return ResourceDirectory.notFound(resource) }
            return await actor.hold(command)
        case .move(let booking, let action, let actorName, let stamp):
            guard let actor = directory.actor(booking.resource) else { return bookingNotFound(booking) }
            return await actor.move(action, booking: booking.sequence, actor: actorName, stamp: stamp)
        case .getBooking(let booking):
            guard let actor = directory.actor(booking.resource) else { return bookingNotFound(booking) }
            return await actor.booking(booking.sequence)
        case .listBookings(let resource, let from, let to, let after, let limit):
            guard let actor = directory.actor(resource) else { return ResourceDirectory.notFound(resource) }
            return await actor.bookings(from: from, to: to, after: after, limit: limit)
        case .availability(let resource, let from, let to, let durationMinutes):
            guard let actor = directory.actor(resource) else { return ResourceDirectory.notFound(resource) }
            return await actor.availability(from: from, to: to, durationMinutes: durationMinutes)
        }
    }

    private func bookingNotFound(_ booking: BookingID) -> Outcome {
        Outcome(reply: .failure(WireError(Rejection(.notFound, "no booking \(booking)", field: "booking"))), barrier: 0)
    }
}
