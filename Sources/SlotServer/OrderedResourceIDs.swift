import SlotDomain

/// Every resource id in ascending order, so a `list_resources` page costs O(log n + page) instead of a sort of
/// every id (seconds per call with a million resources). Stored as sorted runs of at most `runLengthMax` ids, each
/// run wholly below the next: an insert moves at most a run's ids plus, when a run splits, the list of runs
/// (about 2,000 entries for a million ids), never the whole index. Resources are never deleted, so there is no
/// removal.
struct OrderedResourceIDs {
    static let runLengthMax = 1_024
    private var runs: [[ResourceID]] = []
    private(set) var count = 0

    init(_ ids: some Sequence<ResourceID>) {
        let sorted = ids.sorted()
        let half = Self.runLengthMax / 2
        runs = stride(from: 0, to: sorted.count, by: half).map { Array(sorted[$0..<min($0 + half, sorted.count)]) }
        count = sorted.count
    }

    /// Adds an id that is not here yet (the directory checks first; a duplicate is a broken invariant).
    mutating func insert(_ id: ResourceID) {
        guard !runs.isEmpty else {
            runs = [[id]]
            count = 1
            return
        }
        // The first run whose largest id is above `id`, or the last run when `id` is the largest of all.
        let run = min(Self.firstIndex(in: runs) { ($0.last ?? id) > id }, runs.count - 1)
        let position = Self.firstIndex(in: runs[run]) { $0 >= id }
        precondition(position == runs[run].count || runs[run][position] != id, "resource \(id) indexed twice")
        runs[run].insert(id, at: position)
        count += 1
        if runs[run].count > Self.runLengthMax {
            let half = runs[run].count / 2
            let upper = Array(runs[run][half...])
            runs[run].removeSubrange(half...)
            runs.insert(upper, at: run + 1)
        }
    }

    /// At most `limit` ids above `after` (all ids when nil), ascending, and whether more ids follow them.
    func page(after: ResourceID?, limit: Int) -> (ids: [ResourceID], more: Bool) {
        var run = 0
        var position = 0
        if let after {
            run = Self.firstIndex(in: runs) { ($0.last ?? after) > after }
            if run < runs.count { position = Self.firstIndex(in: runs[run]) { $0 > after } }
        }
        var ids: [ResourceID] = []
        ids.reserveCapacity(min(limit, count))
        while run < runs.count {
            let available = runs[run].count - position
            let taken = min(available, limit - ids.count)
            ids.append(contentsOf: runs[run][position..<(position + taken)])
            if ids.count == limit { return (ids, taken < available || run + 1 < runs.count) }
            run += 1
            position = 0
        }
        return (ids, false)
    }

    /// The first index of `elements` where `isAbove` holds, for an `isAbove` false then true along the array
    /// (a binary search); `elements.count` when it never holds.
    static func firstIndex<Element>(in elements: [Element], where isAbove: (Element) -> Bool) -> Int {
        var low = 0
        var high = elements.count
        while low < high {
            let middle = low + (high - low) / 2
            if isAbove(elements[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
