/// One customer's personal data erased from a tenant (`erase_customer`, decision 0022): every place the server
/// keeps the customer's text (bookings in any state, waitlist entries, replies kept under idempotency keys, client
/// tokens bound to the customer) gets `placeholder` instead. The bookings stay, so their time stays taken and
/// their history stays as a trail; only the text goes.
///
/// One server-wide journal entry, applied by `ServerState.apply` to every resource of the tenant, to the key
/// table and to the tokens, in replay as live; so a restart before the journal is compacted comes back erased.
public struct CustomerErasure: Hashable, Sendable {
    public var customer: String
    public var tenant: TenantID?
    public var at: Instant

    public init(customer: String, tenant: TenantID?, at: Instant) {
        precondition(customer != Self.placeholder, "the placeholder is nobody's to erase")
        self.customer = customer
        self.tenant = tenant
        self.at = at
    }

    /// What replaces the customer's text. Empty, because no request can name it: a booking's `customer` and the
    /// customer a token is bound to are never empty (decoding refuses an empty one, and an empty binding means
    /// none). So no client token can ever be bound to the erased bookings, and no later erasure can name them.
    public static let placeholder = ""

    /// Whether a free-text field (an actor's `on_behalf_of`, a cancel reason) holds the customer's text: it is
    /// then replaced whole, since where a name ends inside free text cannot be known.
    func isIn(_ text: String) -> Bool {
        text.contains(customer)
    }

    /// `actor` without the customer's text: a client-supplied actor (or the `on_behalf_of` part of a signed one)
    /// that holds it is replaced, the principal that signed stays (the audit trail still says who acted). The
    /// server's own names stay whatever the customer is called.
    func erasing(actor: String) -> String {
        let (principal, onBehalfOf) = Actors.split(actor)
        if let onBehalfOf {
            return isIn(onBehalfOf) ? principal + "\n" + Self.placeholder : actor
        }
        let serverNames = Actors.reserved + [Actors.client]
        guard !serverNames.contains(actor), isIn(actor) else { return actor }
        return Self.placeholder
    }
}

/// How much one erasure replaced: the reply of `erase_customer`.
public struct ErasureCounts: Hashable, Sendable {
    /// Bookings whose customer was the erased one.
    public var bookings = 0
    public var waitlistEntries = 0
    /// Kept replies (and fingerprints) that held the customer's text.
    public var idempotencyKeys = 0
    /// Client tokens bound to the customer, revoked.
    public var tokens = 0

    public init(bookings: Int = 0, waitlistEntries: Int = 0, idempotencyKeys: Int = 0, tokens: Int = 0) {
        self.bookings = bookings
        self.waitlistEntries = waitlistEntries
        self.idempotencyKeys = idempotencyKeys
        self.tokens = tokens
    }

    public static func + (lhs: ErasureCounts, rhs: ErasureCounts) -> ErasureCounts {
        ErasureCounts(
            bookings: lhs.bookings + rhs.bookings, waitlistEntries: lhs.waitlistEntries + rhs.waitlistEntries,
            idempotencyKeys: lhs.idempotencyKeys + rhs.idempotencyKeys, tokens: lhs.tokens + rhs.tokens)
    }
}

extension ResourceSchedule {
    /// The erasure's step on one resource: the per-resource part of `ServerState.apply`, which a live resource
    /// actor takes on the schedule it owns. Moves the clock to the erasure's instant first, as an event does, so
    /// live and replayed schedules agree on it. Counts the bookings and waitlist entries that were the
    /// customer's; other free text replaced (actors, reasons) is not counted.
    @discardableResult
    public mutating func erase(_ erasure: CustomerErasure) -> ErasureCounts {
        precondition(id.tenant == erasure.tenant, "an erasure of another tenant applied to \(id)")
        advance(to: erasure.at)
        var counts = ErasureCounts()
        let touched = bookings.filter { booking in
            booking.customer == erasure.customer
                || booking.history.contains { transition in
                    erasure.erasing(actor: transition.actor) != transition.actor
                        || transition.reason.map(erasure.isIn) == true
                }
        }
        for var booking in touched {
            if booking.customer == erasure.customer {
                booking.customer = CustomerErasure.placeholder
                counts.bookings += 1
            }
            booking.history = booking.history.map { transition in
                var erased = transition
                erased.actor = erasure.erasing(actor: transition.actor)
                if let reason = transition.reason, erasure.isIn(reason) { erased.reason = CustomerErasure.placeholder }
                return erased
            }
            bookings[booking.id.sequence] = booking
        }
        for (number, entry) in waitlist
        where entry.customer == erasure.customer || entry.actor != erasure.erasing(actor: entry.actor) {
            if entry.customer == erasure.customer {
                waitlist[number]?.customer = CustomerErasure.placeholder
                counts.waitlistEntries += 1
            }
            waitlist[number]?.actor = erasure.erasing(actor: entry.actor)
        }
        promotionNotices = promotionNotices.map { notice in
            var erased = notice
            if notice.customer == erasure.customer { erased.customer = CustomerErasure.placeholder }
            return erased
        }
        return counts
    }
}

extension StoredReply {
    /// This reply with the customer's text replaced wherever a booking or waitlist entry in it shows it; nil when
    /// it shows none.
    func erasing(_ erasure: CustomerErasure) -> StoredReply? {
        func summary(_ booking: BookingSummary) -> BookingSummary {
            var erased = booking
            if booking.customer == erasure.customer { erased.customer = CustomerErasure.placeholder }
            return erased
        }
        let erased: StoredReply
        switch self {
        case .resource, .rules:
            return nil
        case .booking(let booking):
            erased = .booking(summary(booking))
        case .series(var outcome):
            outcome.bookings = outcome.bookings.map(summary)
            erased = .series(outcome)
        case .waitlist(var outcome):
            if outcome.entry.customer == erasure.customer { outcome.entry.customer = CustomerErasure.placeholder }
            outcome.entry.actor = erasure.erasing(actor: outcome.entry.actor)
            outcome.booking = outcome.booking.map(summary)
            erased = .waitlist(outcome)
        case .group(var outcome):
            outcome.bookings = outcome.bookings.map(summary)
            erased = .group(outcome)
        case .batch(let resource, let results):
            erased = .batch(resource: resource, results: results.map { $0.erasing(erasure) ?? $0 })
        }
        return erased == self ? nil : erased
    }
}
