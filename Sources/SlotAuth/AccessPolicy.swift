import SlotDomain
import SlotWire

/// Which role each op needs: the matrix docs/PROTOCOL.md prints (§16), in one place. Roles are ordered, and a
/// role may do everything the ones below it may.
public enum AccessPolicy {
    /// The least role that may send `operation`; nil for the ops anyone may send before authenticating.
    public static func requiredRole(_ operation: Operation) -> Role? {
        switch operation {
        case .ping, .auth:
            nil
        case .availability, .multiAvailability, .getResource, .listResources:
            .reader
        case .hold, .holdMany, .getBooking, .listBookings, .bookSeries, .cancelSeries, .waitlistJoin, .waitlistLeave,
            .waitlistStatus, .waitlistQueue, .getGroup, .groupTransition, .batch:
            .client
        case .transition(_, let action, _, _):
            switch action {
            case .confirm, .cancel, .reschedule: .client
            // Attendance is the staff's record of what happened, not something a customer's front end claims.
            case .complete, .noShow: .operator
            }
        // Events show every booking of the resources they cover, as list_bookings does. A token with a tenant
        // follows only its tenant: the decoder reads `resources` in it and sets `SubscriptionRequest.tenant` for
        // `all`, and the server sends only the events `SubscriptionRequest.matches` accepts.
        case .subscribe, .unsubscribe:
            .client
        case .createResource, .changeRules, .getRules, .snapshot, .stats, .monitor:
            .operator
        case .createWebhook, .listWebhooks, .getWebhook, .deleteWebhook, .listDeliveries, .redeliver:
            .operator
        case .createToken, .listTokens, .revokeToken, .eraseCustomer:
            .admin
        }
    }

    /// Why `token` (nil: no authentication on this server) may not send `operation`; nil when it may. A batch's
    /// own ops are checked one by one by the dispatcher.
    public static func refusal(_ operation: Operation, token: TokenRecord?) -> WireError? {
        guard let token, let required = requiredRole(operation) else { return nil }
        guard token.role >= required else {
            return WireError(
                .forbidden,
                "a \(token.role.rawValue) token may not use \(operation.name); it needs \(required.rawValue)",
                details: ["op": operation.name, "role": token.role.rawValue, "required_role": required.rawValue])
        }
        // Events carry other customers' bookings, which a token bound to one customer may not see.
        if token.boundCustomer != nil, Self.isStream(operation) {
            return WireError(
                .forbidden,
                "a token bound to a customer may not use \(operation.name): events show every customer's bookings",
                details: ["op": operation.name])
        }
        // A snapshot is the whole server's: not something one tenant's operator may take or read.
        if case .snapshot = operation, token.tenant != nil {
            return WireError(
                .forbidden, "snapshot covers every tenant; it needs a token without a tenant",
                details: ["op": operation.name])
        }
        return nil
    }

    private static func isStream(_ operation: Operation) -> Bool {
        switch operation {
        case .subscribe, .unsubscribe: true
        default: false
        }
    }
}
