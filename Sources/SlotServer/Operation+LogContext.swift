import Logging
import SlotWire

extension Operation {
    /// Log context for a rejected request: which resource, booking and times it was about.
    func logContext(into metadata: inout Logger.Metadata) {
        switch self {
        case .hold(let resource, let command):
            // Customer names stay out of logs: they are personal data, and the booking is findable by time.
            metadata["resource.id"] = "\(resource)"
            metadata["request.start"] = "\(RFC3339.format(command.range.start))"
            metadata["request.end"] = "\(RFC3339.format(command.range.end))"
        case .transition(let booking, _, _, _), .getBooking(let booking), .cancelSeries(let booking, _, _, _, _):
            metadata["booking.id"] = "\(booking)"
        case .getResource(let resource), .listBookings(let resource, _, _, _, _, _),
            .availability(let resource, _, _, _),
            .changeRules(let resource, _, _, _), .getRules(let resource), .bookSeries(let resource, _),
            .waitlistJoin(let resource, _, _, _, _), .waitlistQueue(let resource, _):
            metadata["resource.id"] = "\(resource)"
        case .createResource(let settings, _, _):
            metadata["resource.id"] = "\(settings.id)"
        case .waitlistLeave(let entry, _, _), .waitlistStatus(let entry):
            metadata["waitlist.entry"] = "\(entry)"
        case .getGroup(let group), .groupTransition(let group, _, _, _):
            metadata["group.id"] = "\(group)"
        case .ping, .listResources, .snapshot, .stats, .monitor, .multiAvailability, .holdMany, .batch, .auth,
            .createToken,
            .listTokens, .revokeToken, .eraseCustomer, .subscribe, .unsubscribe, .createWebhook, .listWebhooks,
            .getWebhook, .deleteWebhook, .listDeliveries, .redeliver:
            break
        }
    }
}
