/// A resource's blocks as sorted, merged stretches, so that a placement check finds whether a range touches any block
/// by binary search instead of reading every block (every `hold`, `book` and `reschedule`, and every booking a rule
/// change re-checks, asks it). Derived from `AvailabilityRules.blocks` and rebuilt when they change: a rule change is
/// rare next to placement checks, and rebuilding costs O(n log n) for at most `blocksPerResourceMax`.
struct BlockIndex: Sendable, Equatable {
    /// Disjoint, sorted, with overlapping or touching blocks joined: a range overlaps a block exactly when it
    /// overlaps one of these.
    let stretches: [TimeRange]

    init(_ blocks: some Collection<Block>) {
        stretches = Self.merged(blocks.map(\.range))
    }

    /// Whether `range` overlaps any block.
    func overlaps(_ range: TimeRange) -> Bool {
        Self.firstOverlap(range, in: stretches) != nil
    }

    /// The first of `stretches` (disjoint, sorted) that overlaps `range`, by binary search: their ends are sorted
    /// too, so it is the first ending after `range` starts, if it starts before `range` ends.
    static func firstOverlap(_ range: TimeRange, in stretches: [TimeRange]) -> TimeRange? {
        var low = 0
        var high = stretches.count
        while low < high {
            let middle = (low + high) / 2
            if stretches[middle].end <= range.start { low = middle + 1 } else { high = middle }
        }
        return low < stretches.count && stretches[low].start < range.end ? stretches[low] : nil
    }

    /// Ranges sorted by start, with overlapping or touching ones joined.
    static func merged(_ ranges: [TimeRange]) -> [TimeRange] {
        var stretches: [TimeRange] = []
        for range in ranges.sorted(by: { $0.start < $1.start }) {
            if let last = stretches.last, range.start <= last.end {
                stretches[stretches.count - 1].end = max(last.end, range.end)
            } else {
                stretches.append(range)
            }
        }
        return stretches
    }
}

extension ResourceSchedule {
    /// Rebuilds the index after the blocks changed. Past the limit (rules restored from before it, or from a
    /// server with a higher one) there is none and checks read the blocks one by one, as before: rebuilding at
    /// each of a million replayed `add_block`s would make start-up quadratic.
    mutating func refreshBlockIndex() {
        blockIndex = rules.blocks.count <= limits.blocksPerResourceMax ? BlockIndex(rules.blocks.values) : nil
    }
}
