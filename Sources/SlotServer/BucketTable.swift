import SlotAuth

/// Token buckets by key (a client address, a token), all with one rate, holding at most `keysMax` keys. Not
/// synchronized: its owner holds it in a `Mutex`.
///
/// A key absent from the table has a full bucket, so a full bucket can be dropped without changing anything.
/// When a new key would go past `keysMax`, the table drops every full bucket and, if that does not bring it down
/// to three quarters of `keysMax`, the buckets holding the most permits (the least in debt) until it does: a flood
/// of distinct keys costs at most `keysMax` buckets of memory, and the work of a clean-up (a sort) is paid for by
/// the quarter of `keysMax` new keys it makes room for. What that forgives — the debt of the buckets dropped — is
/// at most one burst per dropped key, and only while the table is full.
struct BucketTable<Key: Hashable & Sendable>: Sendable {
    let rate: BucketRate
    let keysMax: Int
    private(set) var buckets: [Key: TokenBucket] = [:]

    init(rate: BucketRate, keysMax: Int) {
        precondition(keysMax >= 1, "a bucket table holds at least one key")
        self.rate = rate
        self.keysMax = keysMax
    }

    /// Takes `count` permits from `key`'s bucket, or none and the wait. A `count` above the burst takes the whole
    /// burst: such a request could never be admitted otherwise.
    mutating func take(_ key: Key, count: UInt64, nowNanoseconds: UInt64) -> RetryAfter? {
        makeRoom(for: key, nowNanoseconds: nowNanoseconds)
        return buckets[key, default: TokenBucket(rate: rate, nowNanoseconds: nowNanoseconds)]
            .take(min(count, rate.burst), nowNanoseconds: nowNanoseconds)
    }

    /// What `take` would answer, without taking anything.
    func wait(_ key: Key, count: UInt64, nowNanoseconds: UInt64) -> RetryAfter? {
        guard var bucket = buckets[key] else { return nil }
        return bucket.take(min(count, rate.burst), nowNanoseconds: nowNanoseconds)
    }

    /// Puts back permits taken by `take` and not used after all.
    mutating func giveBack(_ key: Key, count: UInt64, nowNanoseconds: UInt64) {
        guard buckets[key] != nil else { return }
        buckets[key]?.giveBack(min(count, rate.burst), nowNanoseconds: nowNanoseconds)
        if buckets[key]?.isFull(nowNanoseconds: nowNanoseconds) == true { buckets[key] = nil }
    }

    private mutating func makeRoom(for key: Key, nowNanoseconds: UInt64) {
        guard buckets.count >= keysMax, buckets[key] == nil else { return }
        buckets = buckets.filter { !$0.value.isFull(nowNanoseconds: nowNanoseconds) }
        let target = keysMax - keysMax / 4 - 1
        guard buckets.count > target else { return }
        let fullest = buckets.map { (key: $0.key, available: $0.value.available(nowNanoseconds: nowNanoseconds)) }
            .sorted { $0.available > $1.available }
        for entry in fullest.prefix(buckets.count - target) { buckets[entry.key] = nil }
    }
}
