/// How many active bookings cover each granule of one resource's timeline, in two layers:
/// - `core`: the booking itself, `[start, end)`;
/// - `padded`: the booking with its buffers, `[start − before, end + after)`.
///
/// A new booking fits when no granule of its core is covered by `capacity` padded ranges already, and no granule
/// of its padded range is covered by `capacity` cores already. With capacity 1 that is exactly "my core may not
/// touch your buffers, and my buffers may not touch your core", while two buffers may overlap each other. Because
/// the core lies inside the padded range, no instant ever carries more than `capacity` cores.
///
/// Storage is sparse: one chunk of counters per UTC day that some active booking touches now. A chunk is freed as
/// soon as its counts are all zero again, so memory follows the bookings that exist, not every day ever booked.
public struct Occupancy: Sendable, Equatable {
    public let capacity: Int
    public let granulesPerChunk: Int
    /// When there are no buffers the padded layer equals the core layer, so it is not stored twice.
    public let hasBuffers: Bool
    private var chunks: [Int: Chunk] = [:]

    /// Padded counts may pass `capacity`: buffers of neighbouring bookings overlap each other freely, so with
    /// large capacities and day-long buffers they can pass `UInt16.max`.
    struct Chunk: Sendable, Equatable {
        var core: CoreCounts
        var padded: [UInt32]
        /// How many counters of both layers are above zero: the chunk is freed when this returns to zero, without
        /// scanning the day.
        var nonzeroCounters = 0
    }

    /// Core counts never exceed `capacity`, so they are stored as narrow as it allows: one bit per granule for
    /// capacity 1 (the slot bitmap: 12 bytes for a day of 15-minute granules instead of 192), a byte up to 255,
    /// two bytes beyond.
    enum CoreCounts: Sendable, Equatable {
        /// Capacity 1 and at most 128 granules a day (slots of 15 minutes or more): the day's bitmap inline, no
        /// allocation at all.
        case inlineBits(UInt64, UInt64)
        case bits([UInt64])
        case bytes([UInt8])
        case words([UInt16])

        init(capacity: Int, granules: Int) {
            switch capacity {
            case 1 where granules <= 128: self = .inlineBits(0, 0)
            case 1: self = .bits(Array(repeating: 0, count: (granules + 63) / 64))
            case ...255: self = .bytes(Array(repeating: 0, count: granules))
            default: self = .words(Array(repeating: 0, count: granules))
            }
        }

        subscript(index: Int) -> Int {
            switch self {
            case .inlineBits(let low, let high):
                Int(((index < 64 ? low : high) >> UInt64(index & 63)) & 1)
            case .bits(let words): Int((words[index >> 6] >> UInt64(index & 63)) & 1)
            case .bytes(let counts): Int(counts[index])
            case .words(let counts): Int(counts[index])
            }
        }

        mutating func set(_ index: Int, to value: Int) {
            switch self {
            case .inlineBits(var low, var high):
                let bit = UInt64(1) << UInt64(index & 63)
                if index < 64 {
                    low = value == 0 ? low & ~bit : low | bit
                } else {
                    high = value == 0 ? high & ~bit : high | bit
                }
                self = .inlineBits(low, high)
            case .bits(var words):
                self = .bytes([])  // drop the reference so the array is uniquely owned and changed in place
                let bit = UInt64(1) << UInt64(index & 63)
                words[index >> 6] = value == 0 ? words[index >> 6] & ~bit : words[index >> 6] | bit
                self = .bits(words)
            case .bytes(var counts):
                self = .bits([])
                counts[index] = UInt8(value)
                self = .bytes(counts)
            case .words(var counts):
                self = .bits([])
                counts[index] = UInt16(value)
                self = .words(counts)
            }
        }
    }

    public init(capacity: Int, granuleSeconds: Int64, hasBuffers: Bool) {
        precondition(capacity >= 1 && capacity <= Int(UInt16.max))
        self.capacity = capacity
        self.granulesPerChunk = Int(86_400 / granuleSeconds)
        self.hasBuffers = hasBuffers
    }

    /// The first granule in `granules` whose count in the chosen layer has reached capacity, or nil. Granules in
    /// `excluding` count one booking fewer: the booking being rescheduled, which leaves its old place.
    public func firstFull(_ granules: Range<Int>, padded: Bool, excluding: Range<Int>? = nil) -> Int? {
        var granule = granules.lowerBound
        while granule < granules.upperBound {
            let (chunkIndex, offset) = locate(granule)
            let span = min(granulesPerChunk - offset, granules.upperBound - granule)
            if let chunk = chunks[chunkIndex] {
                let usePadded = padded && hasBuffers
                for index in offset..<(offset + span) {
                    let candidate = granule + (index - offset)
                    let discount = excluding?.contains(candidate) == true ? 1 : 0
                    let count = usePadded ? Int(chunk.padded[index]) : chunk.core[index]
                    if count - discount >= capacity { return candidate }
                }
            }
            granule += span
        }
        return nil
    }

    /// The first granule in `granules` that every unit of capacity covers with a core while another booking's
    /// buffer covers it too, or nil. The placement rule never lets that happen, whatever order bookings arrive in
    /// (a core is refused where cores and buffers already fill capacity, a buffer where cores do), so unlike
    /// `firstFull` this checks a whole set of bookings without replaying their order: what a restore needs.
    public func firstBufferOverFullCores(_ granules: Range<Int>) -> Int? {
        guard hasBuffers else { return nil }
        var granule = granules.lowerBound
        while granule < granules.upperBound {
            let (chunkIndex, offset) = locate(granule)
            let span = min(granulesPerChunk - offset, granules.upperBound - granule)
            if let chunk = chunks[chunkIndex] {
                for index in offset..<(offset + span) {
                    let cores = chunk.core[index]
                    if cores == capacity && Int(chunk.padded[index]) > cores { return granule + (index - offset) }
                }
            }
            granule += span
        }
        return nil
    }

    /// Adds (`delta` = 1) or removes (`delta` = −1) one booking. Crashes if a core count would leave
    /// `0...capacity` or a padded count go negative: memory no longer matches the rules, and recovery from the
    /// journal is the only safe repair.
    public mutating func change(core: Range<Int>, padded: Range<Int>, by delta: Int) {
        update(core, delta: delta, padded: false)
        if hasBuffers { update(padded, delta: delta, padded: true) }
    }

    private mutating func update(_ granules: Range<Int>, delta: Int, padded: Bool) {
        var granule = granules.lowerBound
        while granule < granules.upperBound {
            let (chunkIndex, offset) = locate(granule)
            let span = min(granulesPerChunk - offset, granules.upperBound - granule)
            var chunk =
                chunks.removeValue(forKey: chunkIndex)
                ?? Chunk(
                    core: CoreCounts(capacity: capacity, granules: granulesPerChunk),
                    padded: hasBuffers ? Array(repeating: 0, count: granulesPerChunk) : [])
            for index in offset..<(offset + span) {
                let previous: Int
                let updated: Int
                if padded {
                    previous = Int(chunk.padded[index])
                    updated = previous + delta
                    precondition(updated >= 0, "padded occupancy count below zero")
                    chunk.padded[index] = UInt32(updated)
                } else {
                    previous = chunk.core[index]
                    updated = previous + delta
                    precondition(updated >= 0 && updated <= capacity, "core occupancy count left 0...capacity")
                    chunk.core.set(index, to: updated)
                }
                if previous == 0 { chunk.nonzeroCounters += 1 } else if updated == 0 { chunk.nonzeroCounters -= 1 }
            }
            if chunk.nonzeroCounters > 0 { chunks[chunkIndex] = chunk }
            granule += span
        }
    }

    /// Chunks held now: what a test reads to see that canceled bookings gave their memory back.
    public var chunkCount: Int { chunks.count }

    private func locate(_ granule: Int) -> (chunk: Int, offset: Int) {
        let chunk = granule >= 0 ? granule / granulesPerChunk : (granule - granulesPerChunk + 1) / granulesPerChunk
        return (chunk, granule - chunk * granulesPerChunk)
    }
}
