import SlotDomain
import SlotWire

/// What one op about one resource comes to inside an atomic change: an event to apply (its reply is read after
/// applying it), a reply that changes nothing (a read, or a change already made), or a refusal.
enum StepDecision {
    case change(ScheduleEvent)
    /// `stored` is the form a keyed batch keeps; nil for reads, which a keyed batch never holds.
    case fixed(ReplyBody, stored: StoredReply?)
    case refused(Rejection)
}

extension ResourceSchedule {
    /// Decides `operation`, an op about this resource alone, at `now`, without changing anything: the actor decides
    /// its rule, series, waitlist and read requests with it, and an atomic change decides its ops one after another
    /// against copies, applying only when all are accepted. The event carries `idempotency`, the request's key;
    /// an atomic change passes none (the key is the whole change's, and its ops carry none).
    func decideStep(_ operation: SlotWire.Operation, now: Instant, idempotency: IdempotencyStamp? = nil)
        -> StepDecision
    {
        switch operation {
        case .hold(_, var command):
            command.idempotency = idempotency
            return Self.step(decideHold(command, now: now))
        case .transition(let booking, let action, let actor, _):
            return Self.step(
                decide(action, booking: booking.sequence, actor: actor, idempotency: idempotency, now: now))
        case .changeRules(_, let request, let actor, _):
            switch decideRuleRequest(request, actor: actor, idempotency: idempotency, now: now) {
            case .success(let event): return .change(event)
            case .failure(let rejection): return .refused(rejection)
            }
        case .bookSeries(_, var command):
            command.idempotency = idempotency
            switch decideSeries(command, now: now) {
            case .success(let decided): return .change(decided.event)
            case .failure(let rejection): return .refused(rejection)
            }
        case .cancelSeries(let series, let from, let reason, let actor, _):
            switch decideCancelSeries(
                series.sequence, from: from, reason: reason, actor: actor, idempotency: idempotency, now: now)
            {
            case .success(let event?): return .change(event)
            case .success(nil):
                let outcome = SeriesOutcome(series: series, bookings: [], skipped: [])
                return .fixed(.series(series, bookings: [], skipped: []), stored: .series(outcome))
            case .failure(let rejection): return .refused(rejection)
            }
        case .waitlistJoin(_, let range, let customer, let actor, _):
            switch decideJoin(range: range, customer: customer, actor: actor, idempotency: idempotency, now: now) {
            case .apply(let event): return .change(event)
            case .existing(let entry):
                guard let outcome = waitlistEntry(entry.id.number) else { preconditionFailure("entry missing") }
                return .fixed(.waitlistEntry(outcome), stored: .waitlist(outcome))
            case .reject(let rejection): return .refused(rejection)
            }
        case .waitlistLeave(let entry, let actor, _):
            switch decideLeave(entry.number, actor: actor, idempotency: idempotency, now: now) {
            case .success(let event): return .change(event)
            case .failure(let rejection): return .refused(rejection)
            }
        default:
            return decideRead(operation, now: now)
        }
    }

    /// The reads, answered from this schedule as the earlier ops of the change left it.
    private func decideRead(_ operation: SlotWire.Operation, now: Instant) -> StepDecision {
        switch operation {
        case .getBooking(let booking):
            guard let found = self.booking(booking.sequence) else {
                return .refused(Rejection(.notFound, "no booking \(booking)", field: "booking"))
            }
            return .fixed(.bookingWithHistory(found, group: group(of: booking.sequence)?.id), stored: nil)
        case .listBookings(_, let from, let to, let after, let limit, let customer):
            let cursor = after.flatMap { self.booking($0.sequence) }
            if after != nil, cursor == nil || after?.resource != id {
                return .refused(.invalid("after", "must be a booking of \(id)"))
            }
            if let customer, cursor?.customer != nil, cursor?.customer != customer {
                return .refused(.invalid("after", "must be a booking of \(id)"))
            }
            switch activeBookings(from: from, to: to, after: cursor, limit: limit, customer: customer) {
            case .success(let page):
                let listed = page.bookings.map { ($0, group(of: $0.id.sequence)?.id) }
                return .fixed(.bookings(listed, truncated: page.truncated), stored: nil)
            case .failure(let rejection): return .refused(rejection)
            }
        case .availability(_, let from, let to, let durationMinutes):
            switch availability(from: from, to: to, durationMinutes: durationMinutes, now: now) {
            case .success(let starts): return .fixed(.slots(starts), stored: nil)
            case .failure(let rejection): return .refused(rejection)
            }
        case .getRules:
            let reply = RulesReply(rules: rules, zone: grid.timeZone, affected: [], addedBlock: nil)
            return .fixed(.rules(reply), stored: nil)
        case .waitlistStatus(let entry):
            guard let outcome = waitlistEntry(entry.number) else {
                return .refused(Rejection(.notFound, "no waitlist entry \(entry)", field: "entry"))
            }
            return .fixed(.waitlistEntry(outcome), stored: nil)
        case .waitlistQueue(_, let customer):
            let queue = waiting.compactMap { waitlistEntry($0) }
            return .fixed(
                .waitlist(customer.map { only in queue.filter { $0.entry.customer == only } } ?? queue), stored: nil)
        default:
            preconditionFailure("\(operation.name) is not an op about one resource")
        }
    }

    private static func step(_ decision: Decision) -> StepDecision {
        switch decision {
        case .apply(let event): .change(event)
        case .unchanged(let summary): .fixed(.booking(summary), stored: .booking(summary))
        case .reject(let rejection): .refused(rejection)
        }
    }

    /// Decides a rule op: the layer it changes, refused only for an unknown block or a full rule table.
    func decideRuleRequest(_ request: RuleRequest, actor: String, idempotency: IdempotencyStamp?, now: Instant)
        -> Result<ScheduleEvent, Rejection>
    {
        let change: RuleChange
        switch request {
        case .weeklyHours(let hours): change = .weeklyHours(hours)
        case .override(let date, let override): change = .override(date, override)
        case .addBlock(let range, let label):
            change = .addBlock(Block(id: rules.lastBlockID + 1, range: range, label: label))
        case .removeBlock(let blockID):
            guard rules.blocks[blockID] != nil else {
                return .failure(Rejection(.notFound, "\(id) has no block \(blockID)", field: "block"))
            }
            change = .removeBlock(blockID)
        case .limits(let minNotice, let maxPerDay):
            let max = maxPerDay.map { $0 == 0 ? nil : $0 } ?? rules.maxBookingsPerDay
            change = .limits(minNoticeMinutes: minNotice ?? rules.minNoticeMinutes, maxBookingsPerDay: max)
        }
        if let refusal = ruleLimitRefusal(change) { return .failure(refusal) }
        return .success(decide(change, actor: actor, idempotency: idempotency, now: now).event)
    }
}
