import SlotDomain

/// The fingerprints of the rule, series and waitlist ops: the op and every field that changes what it does, in
/// a stable text (fingerprints are journaled and kept in snapshots, so never Swift's `description`). Two requests
/// under one key are "the same request" exactly when these agree; any other difference is
/// `idempotency_conflict`. Built only when a key is given: most requests carry none.
enum MutationFingerprint {
    private static let separator = "\u{1F}"

    private static func join(_ parts: [String]) -> String {
        parts.joined(separator: separator)
    }

    private static func seconds(_ instant: Instant) -> String {
        String(instant.secondsSinceEpoch)
    }

    private static func intervals(_ list: [LocalInterval]) -> String {
        list.map { "\($0.startMinute)-\($0.endMinute)" }.joined(separator: ",")
    }

    static func rules(_ op: String, _ request: RuleRequest, resource: ResourceID, actor: String) -> String {
        var parts = [op, resource.rawValue, actor]
        switch request {
        case .weeklyHours(nil):
            parts.append("always")
        case .weeklyHours(let hours?):
            parts.append(hours.days.map(intervals).joined(separator: "/"))
        case .override(let date, nil):
            parts.append(date.description)
        case .override(let date, .closed?):
            parts += [date.description, "closed"]
        case .override(let date, .hours(let list)?):
            parts += [date.description, intervals(list)]
        case .addBlock(let range, let label):
            parts += [seconds(range.start), seconds(range.end), label]
        case .removeBlock(let block):
            parts.append(String(block))
        case .limits(let notice, let perDay):
            parts += [notice.map(String.init) ?? "", perDay.map(String.init) ?? ""]
        }
        return join(parts)
    }

    static func series(_ command: SeriesCommand, resource: ResourceID) -> String {
        let rule = command.recurrence
        return join([
            "book_series", resource.rawValue, seconds(command.first.start), seconds(command.first.end),
            command.customer, command.actor, command.skipConflicts ? "skip" : "all",
            command.zone?.identifier ?? "", rule.frequency.rawValue, String(rule.interval),
            rule.weekdays.map { $0.sorted().map(String.init).joined(separator: ",") } ?? "",
            rule.count.map(String.init) ?? "", rule.until?.description ?? "",
        ])
    }

    static func cancelSeries(_ series: BookingID, from: Instant?, reason: String?, actor: String) -> String {
        join(["cancel_series", series.description, from.map(seconds) ?? "", reason ?? "", actor])
    }

    static func waitlistJoin(_ resource: ResourceID, _ range: TimeRange, customer: String, actor: String) -> String {
        join(["waitlist_join", resource.rawValue, seconds(range.start), seconds(range.end), customer, actor])
    }

    static func waitlistLeave(_ entry: WaitlistEntryID, actor: String) -> String {
        join(["waitlist_leave", entry.description, actor])
    }
}
