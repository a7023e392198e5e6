/// The booking state changes a schedule applied since its owner last took them: counts by (from, to), for the
/// server's counters. Replay fills it as live requests do; an owner that starts from a replayed schedule clears it
/// first. Counts only: a change costs one addition and its tally no allocation after the first.
public struct TransitionTally: Sendable {
    /// By `index(from:to:)`; empty until the first change.
    private var counts: [UInt32] = []
    /// Whether some count is not zero.
    public private(set) var isEmpty = true

    public init() {}

    /// Positions of the states in an index: 0 stands for "none" (a booking's creation), so `from` takes 8 values
    /// and `to` 7.
    static let fromValues = 8
    public static let indexCount = fromValues * 8

    /// The slot of the change from `from` (nil: the booking's creation) to `to`.
    public static func index(from: BookingState?, to: BookingState) -> Int {
        (from.map(ordinal) ?? 0) * fromValues + ordinal(to)
    }

    /// Every change the domain can make, in a fixed order: a booking's creation, and each state's allowed targets.
    public static let changes: [(from: BookingState?, to: BookingState)] =
        [(nil, .pendingConfirmation)]
        + BookingState.allCases.flatMap { from in
            BookingState.allCases.filter(from.canTransition).map { (Optional(from), $0) }
        }

    private static func ordinal(_ state: BookingState) -> Int {
        switch state {
        case .pendingConfirmation: 1
        case .confirmed: 2
        case .rescheduled: 3
        case .completed: 4
        case .canceled: 5
        case .expired: 6
        case .noShow: 7
        }
    }

    mutating func record(from: BookingState?, to: BookingState) {
        if counts.isEmpty { counts = Array(repeating: 0, count: Self.indexCount) }
        counts[Self.index(from: from, to: to)] &+= 1
        isEmpty = false
    }

    /// Calls `body` with each non-zero count and its index, then sets them to zero.
    public mutating func take(_ body: (_ index: Int, _ count: UInt32) -> Void) {
        guard !isEmpty else { return }
        for index in counts.indices where counts[index] != 0 {
            body(index, counts[index])
            counts[index] = 0
        }
        isEmpty = true
    }
}

extension ResourceSchedule {
    /// Forgets the changes counted so far: those replayed before a server took this schedule over.
    public mutating func clearTransitionTally() {
        transitions = TransitionTally()
    }

    /// Hands each change counted since the last take to `body` (index by `TransitionTally.index`), and forgets them.
    public mutating func takeTransitions(_ body: (_ index: Int, _ count: UInt32) -> Void) {
        transitions.take(body)
    }
}
