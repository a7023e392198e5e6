import SlotDomain

/// The traffic mixes slotload knows. Each picks what a connection sends next.
enum Scenario: String, Sendable, CaseIterable {
    /// `book` random free slots over all resources: every request a slot no other request asked for.
    case uniform
    /// 90 % of requests go to 1 % of the resources.
    case hot
    /// Every connection races for the same slot of one resource, round after round: exactly `capacity` win each.
    case flashSale = "flash-sale"
    /// hold → confirm (or let lapse), cancel, reschedule, availability queries.
    case mixed
    /// Read-heavy: 90 % `availability`, 10 % `book`.
    case availability
}

/// What every connection shares: the resources, the window of days it books in, and the slot grid.
struct Plan: Sendable {
    let scenario: Scenario
    let resources: [String]
    let firstDaySeconds: Int64
    let days: Int
    let slotSeconds: Int64
    /// The first `hotCount` resources take 90 % of the `hot` scenario's requests.
    let hotCount: Int
    /// Connections in the run: connection `c` deals itself the `c`-th, `c + connections`-th, … free slot.
    let connections: Int
    /// Steps through every slot of every resource once, in a seeded random order (see `freeSlot`).
    let slotOrder: SlotPermutation

    var slotsPerResource: Int { days * Int(86_400 / slotSeconds) }

    func slotStart(_ index: Int) -> Int64 { firstDaySeconds + Int64(index) * slotSeconds }

    /// The server's id of booking `sequence` of resource `resource` (`name/N`).
    func bookingID(resource: Int, sequence: UInt64) -> String { "\(resources[resource])/\(sequence)" }

    func resourceIndex(using random: inout some RandomNumberGenerator) -> Int {
        switch scenario {
        case .hot where resources.count > hotCount:
            Int.random(in: 0..<100, using: &random) < 90
                ? Int.random(in: 0..<hotCount, using: &random)
                : Int.random(in: hotCount..<resources.count, using: &random)
        case .flashSale: 0
        default: Int.random(in: 0..<resources.count, using: &random)
        }
    }

    func randomSlot(using random: inout some RandomNumberGenerator) -> Int {
        Int.random(in: 0..<slotsPerResource, using: &random)
    }

    /// The slot of the `round`-th request of `connection` in `uniform`: no two requests of a run share one until
    /// every slot of every resource was asked for once (then the order repeats, and the server refuses).
    func freeSlot(connection: Int, round: Int) -> (resource: Int, slot: Int) {
        let position = slotOrder.position(round &* connections &+ connection)
        return (position % resources.count, position / resources.count)
    }
}

/// A bijection of `0..<count` (`i → (i × multiplier + offset) mod count`, the multiplier coprime to the count):
/// a random-looking order of all slots with no memory and no coordination between connections.
struct SlotPermutation: Sendable {
    let count: Int
    let multiplier: Int
    let offset: Int

    init(count: Int, seed: UInt64) {
        precondition(count > 0)
        var random = SplitMix64(seed: seed)
        var multiplier = Int(random.next() % UInt64(count)) | 1
        while Self.gcd(multiplier, count) != 1 { multiplier += 2 }
        self.count = count
        self.multiplier = multiplier
        self.offset = Int(random.next() % UInt64(count))
    }

    func position(_ index: Int) -> Int {
        let (high, low) = (index % count).multipliedFullWidth(by: multiplier)
        let product = count.dividingFullWidth((high, low)).remainder
        return (product + offset) % count
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
