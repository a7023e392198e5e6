/// What a run did, for the report and for telling whether the workload still reaches deep enough.
struct SimulationCounts {
    var requests = 0
    var changes = 0
    var refusals: [String: Int] = [:]
    /// Successful replies by op (`hold/group`, `book/pool` for the multi-resource forms).
    var succeeded: [String: Int] = [:]
    var retriesChecked = 0
    var commits = 0
    var replayChecks = 0
    var snapshots = 0
    var crashes = 0
    var crashesDuringCommit = 0
    /// Atomic changes whose journal entries were read back and found to be one.
    var atomicChangesJournaled = 0
    var restarts = 0
    var transcript = TranscriptDigest()
}

/// FNV-1a over every reply in order: two runs of one seed must give the same replies.
struct TranscriptDigest: Equatable {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: [UInt8]) {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
    }
}
