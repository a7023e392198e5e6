/// `availability` as one pass over the queried range. Asking `placementFailure` at every candidate start would re-read
/// every granule of the booking each time, so a long `duration_minutes` would cost starts × duration. Here each costly
/// check (opening hours, blocks, both occupancy layers) remembers the first refusing granule at or after the
/// current candidate; since candidates only move forward, each granule is read about once per query and the cost
/// follows the range plus the booking length, not their product. The answers are those of `placementFailure`
/// (the randomized reference-model tests hold the two together).
struct AvailabilityScan {
    let schedule: ResourceSchedule
    let durationSeconds: Int64
    let now: Instant
    let horizonEnd: Instant
    let earliest: Instant
    let checksHours: Bool
    /// The booking and its buffers in granules: a start's ranges follow from its granule by addition.
    let durationGranules: Int
    let beforeGranules: Int
    let afterGranules: Int
    /// The blocks as sorted, merged stretches: a padded range overlaps a block exactly when it overlaps one of
    /// these.
    let blockStretches: [TimeRange]
    /// The external busy times, already sorted and merged by the layer; walked beside the blocks, never merged
    /// with them per query.
    let busyStretches: [TimeRange]
    /// Past the end of the last candidate's padded range nothing matters: the searches stop there.
    let searchEnd: Int

    /// Where the scan has got to. Kept apart from the scan so that asking about a start reads the schedule
    /// without copying it.
    struct Cursors {
        /// The first block (and busy) stretch that may still overlap a later candidate.
        var nextBlock = 0
        var nextBusy = 0
        var closedGranule: ForwardSearch
        var fullPaddedGranule: ForwardSearch
        var fullCoreGranule: ForwardSearch
    }

    init(schedule: ResourceSchedule, durationSeconds: Int64, to: Instant, now: Instant) {
        self.schedule = schedule
        self.durationSeconds = durationSeconds
        self.now = now
        horizonEnd = now.adding(seconds: Int64(schedule.settings.horizonDays) * 86_400)
        earliest = now.adding(seconds: Int64(schedule.rules.minNoticeMinutes) * 60)
        checksHours = schedule.rules.weeklyHours != nil || !schedule.rules.overrides.isEmpty
        // Durations and buffers are whole slots, and slots whole granules, so these divisions are exact.
        let granuleSeconds = schedule.grid.granuleSeconds
        durationGranules = Int(durationSeconds / granuleSeconds)
        beforeGranules = Int(schedule.bufferBeforeSeconds / granuleSeconds)
        afterGranules = Int(schedule.bufferAfterSeconds / granuleSeconds)
        blockStretches =
            schedule.blockIndex?.stretches ?? BlockIndex.merged(schedule.rules.blocks.values.map(\.range))
        busyStretches = schedule.externalBusy?.stretches ?? []
        let lastEnd = to.adding(seconds: durationSeconds + schedule.bufferAfterSeconds)
        searchEnd = schedule.grid.granule(schedule.grid.granuleCeiling(lastEnd)) + 1
    }

    var cursors: Cursors {
        Cursors(
            closedGranule: ForwardSearch(end: searchEnd), fullPaddedGranule: ForwardSearch(end: searchEnd),
            fullCoreGranule: ForwardSearch(end: searchEnd))
    }

    /// Whether a booking starting at `start` would be accepted now: `placementFailure(…) == nil`, in the same order
    /// of checks so the cheap ones spare the costly ones. Starts must be asked in ascending order, with the same
    /// `cursors` throughout.
    func accepts(_ start: Instant, _ cursors: inout Cursors) -> Bool {
        let end = start.adding(seconds: durationSeconds)
        let grid = schedule.grid
        guard grid.isBoundary(start), grid.isBoundary(end) else { return false }
        guard start >= now, end <= horizonEnd, start >= earliest else { return false }
        let first = grid.granule(start)
        let core = first..<(first + durationGranules)
        if checksHours {
            let closed = cursors.closedGranule.firstMatch(atOrAfter: core.lowerBound) { granule in
                let instant = Instant(secondsSinceEpoch: Int64(granule) * grid.granuleSeconds)
                return schedule.hoursFailure(atGranuleStarting: instant) != nil
            }
            if closed < core.upperBound { return false }
        }
        if !blockStretches.isEmpty || !busyStretches.isEmpty {
            let padded = TimeRange(
                start: start.adding(seconds: -schedule.bufferBeforeSeconds),
                end: end.adding(seconds: schedule.bufferAfterSeconds))
            if Self.overlaps(padded, blockStretches, from: &cursors.nextBlock)
                || Self.overlaps(padded, busyStretches, from: &cursors.nextBusy)
            {
                return false
            }
        }
        if let limit = schedule.rules.maxBookingsPerDay,
            schedule.bookingsStarting(on: schedule.localDate(of: start)) >= limit
        {
            return false
        }
        let fullPadded = cursors.fullPaddedGranule.firstFound(atOrAfter: core.lowerBound) { from, end in
            schedule.occupancy.firstFull(from..<end, padded: true)
        }
        if fullPadded < core.upperBound { return false }
        let padded = (first - beforeGranules)..<(core.upperBound + afterGranules)
        let fullCore = cursors.fullCoreGranule.firstFound(atOrAfter: padded.lowerBound) { from, end in
            schedule.occupancy.firstFull(from..<end, padded: false)
        }
        return fullCore >= padded.upperBound
    }
}

extension AvailabilityScan {
    /// Whether `range` overlaps one of `stretches` (sorted, disjoint), moving `next` past those that end before it:
    /// ranges are asked in ascending order, so each stretch is passed once per query.
    static func overlaps(_ range: TimeRange, _ stretches: [TimeRange], from next: inout Int) -> Bool {
        while next < stretches.count, stretches[next].end <= range.start { next += 1 }
        return next < stretches.count && stretches[next].start < range.end
    }
}

/// The first granule at or after a point that satisfies a test, for points asked in ascending order. The answer
/// is kept while it still lies ahead, and the next search starts past it, so searches never cover the same
/// granules twice. `end` (exclusive) bounds every search and is the answer when nothing is found.
struct ForwardSearch {
    let end: Int
    private var found: Int?

    init(end: Int) { self.end = end }

    /// Tests granule by granule.
    mutating func firstMatch(atOrAfter granule: Int, where matches: (Int) -> Bool) -> Int {
        firstFound(atOrAfter: granule) { from, end in (from..<end).first(where: matches) }
    }

    /// Searches a whole stretch at once: `search(from, end)` returns the first match in `from..<end`, or nil.
    mutating func firstFound(atOrAfter granule: Int, search: (Int, Int) -> Int?) -> Int {
        if let found, found >= granule { return found }
        let answer = granule < end ? search(granule, end) ?? end : end
        found = answer
        return answer
    }
}
