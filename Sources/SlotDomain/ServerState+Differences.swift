/// Comparing two states part by part: replay against the live server in tests, and the whole-server simulation.
extension ServerState {
    /// Where `other` differs from this state, one line per differing part (a resource's settings, rules, journal
    /// position, each booking with its history and group, each waitlist entry, each idempotency key, and the derived
    /// occupancy and counters); empty when they are the same. Both are first moved to `now`, since the passing of
    /// time is part of the state: a hold due by then has expired in both, whenever each noticed it.
    public func differences(from other: ServerState, at now: Instant) -> [String] {
        var found: [String] = []
        for id in Set(resources.keys).union(other.resources.keys).sorted() {
            guard var mine = resources[id]?.schedule, var theirs = other.resources[id]?.schedule else {
                found.append("\(id): present in only one state")
                continue
            }
            mine.advance(to: now)
            theirs.advance(to: now)
            if let mineState = resources[id], let theirState = other.resources[id] {
                if mineState.createdSequence != theirState.createdSequence {
                    found.append("\(id): created at entry \(mineState.createdSequence) / \(theirState.createdSequence)")
                }
                if mineState.lastSequence != theirState.lastSequence {
                    found.append("\(id): last entry \(mineState.lastSequence) / \(theirState.lastSequence)")
                }
            }
            found += mine.differences(from: theirs).map { "\(id): \($0)" }
        }
        found += keyDifferences(from: other, at: now)
        return found
    }

    /// Keys past their retention are left out: lookups treat them as gone, and a live server prunes them on its
    /// own schedule.
    private func keyDifferences(from other: ServerState, at now: Instant) -> [String] {
        var myKeys = keys
        var theirKeys = other.keys
        myKeys.prune(now: now)
        theirKeys.prune(now: now)
        let mine = Dictionary(myKeys.records().map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let theirs = Dictionary(theirKeys.records().map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var found: [String] = []
        for key in Set(mine.keys).union(theirs.keys).sorted() where mine[key] != theirs[key] {
            found.append(
                "idempotency key \(key): \(String(describing: mine[key])) / \(String(describing: theirs[key]))")
        }
        if myKeys.count != theirKeys.count {
            found.append("idempotency keys: \(myKeys.count) / \(theirKeys.count)")
        }
        return found
    }
}

extension ResourceSchedule {
    /// The parts of two schedules of one resource that differ (see `ServerState.differences`). Caches that only
    /// make a later answer faster (which waiting entries are known not to fit, notices already taken) are left out.
    func differences(from other: ResourceSchedule) -> [String] {
        var found: [String] = []
        func compare<Value: Equatable>(_ name: String, _ mine: Value, _ theirs: Value) {
            if mine != theirs { found.append("\(name): \(mine) / \(theirs)") }
        }
        compare("settings", settings, other.settings)
        compare("clock", clock, other.clock)
        compare("rules", rules, other.rules)
        compare("last booking", lastSequence, other.lastSequence)
        compare("bookings", bookings.count, other.bookings.count)
        for sequence in 1...max(1, max(lastSequence, other.lastSequence)) {
            compare("booking \(sequence)", bookings[sequence], other.bookings[sequence])
        }
        compare("last waitlist entry", lastWaitlistNumber, other.lastWaitlistNumber)
        for number in Set(waitlist.keys).union(other.waitlist.keys).sorted() {
            compare("waitlist entry \(number)", waitlist[number], other.waitlist[number])
        }
        compare("waiting order", waiting, other.waiting)
        for sequence in Set(groups.keys).union(other.groups.keys).sorted() {
            compare("group of booking \(sequence)", groups[sequence], other.groups[sequence])
        }
        // Only where reminders are set: elsewhere it is never read, and a snapshot older than reminders keeps none.
        if !settings.remindersMinutesBefore.isEmpty {
            compare("reminded through", remindedThrough, other.remindedThrough)
        }
        compare("active holds", activeHoldCount, other.activeHoldCount)
        compare("starts per local day", startsPerLocalDay, other.startsPerLocalDay)
        if occupancy != other.occupancy { found.append("occupancy differs") }
        if blockIndex != other.blockIndex { found.append("block index differs") }
        return found
    }
}
