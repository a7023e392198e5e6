/// A binary min-heap; used for hold expiries, where the next one due is all that matters.
struct MinHeap<Element: Comparable & Sendable>: Sendable {
    private var elements: [Element] = []

    var minimum: Element? { elements.first }
    var count: Int { elements.count }

    mutating func insert(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard elements[child] < elements[parent] else { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    @discardableResult
    mutating func removeMinimum() -> Element? {
        guard !elements.isEmpty else { return nil }
        elements.swapAt(0, elements.count - 1)
        let minimum = elements.removeLast()
        siftDown(from: 0)
        return minimum
    }

    /// Calls `body` with every element not above `bound`, in no particular order, visiting only those and their
    /// children: O(k) for k such elements, however large the heap.
    func forEach(notAbove bound: Element, _ body: (Element) -> Void) {
        var pending = elements.isEmpty ? [] : [0]
        while let index = pending.popLast() {
            guard elements[index] <= bound else { continue }
            body(elements[index])
            for child in [2 * index + 1, 2 * index + 2] where child < elements.count { pending.append(child) }
        }
    }

    /// Removes every element for which `shouldBeRemoved` holds and restores the heap order, in O(n).
    mutating func removeAll(where shouldBeRemoved: (Element) -> Bool) {
        elements.removeAll(where: shouldBeRemoved)
        for parent in stride(from: elements.count / 2 - 1, through: 0, by: -1) { siftDown(from: parent) }
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < elements.count, elements[left] < elements[smallest] { smallest = left }
            if right < elements.count, elements[right] < elements[smallest] { smallest = right }
            guard smallest != parent else { break }
            elements.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

/// A hold's expiry in the heap: ordered by time, then booking sequence, so expiry order is deterministic.
struct PendingExpiry: Comparable, Sendable {
    var at: Instant
    var sequence: UInt64

    static func < (lhs: PendingExpiry, rhs: PendingExpiry) -> Bool {
        (lhs.at, lhs.sequence) < (rhs.at, rhs.sequence)
    }
}
