import Foundation
import SlotDomain

/// The write-ahead journal with group commit.
///
/// `append` is synchronous and cheap: it numbers the entry and queues it, so a resource actor can decide, append
/// and mutate without an `await` in between. One writer takes everything queued, writes it in a single SQLite
/// transaction (one fsync), and then wakes every reply waiting on those entries. Replies are sent only after
/// `waitUntilDurable` returns, so nothing is acknowledged before it is on disk.
///
/// The writer is a thread of its own, not a task: SQLite's calls block (the fsync for milliseconds), and a task
/// blocked in them would hold one of the few threads of Swift's cooperative pool. What the writer decides (what to
/// write next, whom a commit wakes, what a stop or a crash abandons) is `JournalWriterState`, a plain value; this
/// class holds the lock, the thread and the SQLite store, and carries those decisions out.
///
/// The queue is bounded by `Configuration.queuedEntriesMax`, through admission rather than in `append`: a request
/// reserves the most entries it can append (`admit`) before it is decided, and gives the reservation back once it
/// has appended them (`release`). Requests wait while the queue is full; none is refused.
///
/// A failed commit leaves memory ahead of disk. The writer then calls `onFailure` and stops the process: a restart
/// replays the journal, which holds exactly what was acknowledged.
public final class Journal: @unchecked Sendable {
    // @unchecked: the one mutable field, `state`, is guarded by `condition` (its lock), and `store` is used by one
    // writer at a time: the thread once `start` has run, otherwise the caller holding `manualTurn`.
    public struct Configuration: Sendable {
        /// Who commits: a thread of the journal's own (the server), or the owner calling `commitQueued` (a
        /// deterministic simulation, which decides when a commit happens).
        public enum Writer: Sendable {
            case thread
            case manual
        }

        public var writer = Writer.thread
        /// Most entries written in one transaction.
        public var batchEntriesMax = 4_096
        /// Most entries queued and not yet committed, counting those that admitted requests may still append;
        /// past it, requests wait in `admit` until commits make room. 16 full batches: far more than a healthy
        /// disk lets accumulate between two commits (the writer takes everything queued each time), so it costs
        /// no throughput, while a stalled disk holds memory to this many entries (a few hundred bytes each)
        /// instead of growing with every request the connections send meanwhile.
        public var queuedEntriesMax = 65_536
        /// Most entries compaction deletes in one transaction; commits of new entries run in between, so this
        /// bounds how long compaction can hold up an acknowledgement (decision 0003).
        public var compactionChunkEntriesMax = 2_000
        /// How long opening waits for the data folder's lock before it reports another server. The lock belongs
        /// to the open file, so a process that forks at the wrong moment (its child holds a copy of every
        /// descriptor until it executes) or a previous server still exiting holds it for a few milliseconds
        /// after its owner let go.
        public var lockWaitMilliseconds = 2_000
        /// Encodes the change events appended with entries; nil for a journal that is given none (tools, tests).
        public var eventEncoder: EventEncoder?
        public init() {}
    }

    typealias Waiter = CheckedContinuation<Void, any Error>
    typealias CompactionWaiter = CheckedContinuation<Int, any Error>

    let store: JournalStore
    let configuration: Configuration
    let condition = NSCondition()
    /// Held by whoever writes without the thread (`commitQueued`, `stop` of a journal never started), so two
    /// callers never write at once and `crash` closes the store only after them.
    let manualTurn = NSLock()
    var state: JournalWriterState<Waiter, CompactionWaiter>
    let onFailure: @Sendable (JournalError) -> Never
    let commitObserver: CommitObserver?
    let eventObserver: EventObserver?
    /// This journal's identity (stored in it); snapshots carry it.
    public let journalID: String
    /// The newest event `seq` committed when the journal was opened: a stream's head until the first commit.
    public let openedEventSequence: UInt64

    /// Told after each commit how many entries it wrote and how long its transaction took, fsync included: the
    /// server's metrics, kept out of this module. Called on the writer's thread between commits, so it must be
    /// quick.
    public typealias CommitObserver = @Sendable (_ entries: Int, _ nanoseconds: UInt64) -> Void

    /// Opens (or creates) the journal in `directory`.
    public init(
        directory: URL, configuration: Configuration = .init(),
        onFailure: @escaping @Sendable (JournalError) -> Never = { fatalError("journal write failed: \($0)") },
        commitObserver: CommitObserver? = nil, eventObserver: EventObserver? = nil
    ) throws(JournalError) {
        store = try JournalStore(directory: directory, lockWaitMilliseconds: configuration.lockWaitMilliseconds)
        self.configuration = configuration
        self.onFailure = onFailure
        self.commitObserver = commitObserver
        self.eventObserver = eventObserver
        let lastEventSequence = try store.lastEventSequence()
        state = JournalWriterState(
            lastSequence: try store.lastSequence(), lastEventSequence: lastEventSequence,
            batchEntriesMax: configuration.batchEntriesMax, queuedEntriesMax: configuration.queuedEntriesMax)
        openedEventSequence = lastEventSequence
        journalID = try store.journalID()
    }

    func locked<Value>(_ body: (inout JournalWriterState<Waiter, CompactionWaiter>) -> Value) -> Value {
        condition.lock()
        defer { condition.unlock() }
        return body(&state)
    }

    private var notStarted: Bool { locked { $0.state == .notStarted } }

    /// Entries up to here may exist only in snapshots.
    public func floor() throws(JournalError) -> UInt64 {
        precondition(notStarted, "read the floor before the writer starts")
        return try store.floor()
    }

    /// For a restore into a new data folder: numbering continues after `sequence`, which a snapshot covers.
    public func adoptFloor(_ sequence: UInt64) throws(JournalError) {
        precondition(notStarted, "adopt a floor before the writer starts")
        guard try store.entryCount() == 0, appendedSequence == 0 else { throw .notEmpty }
        try store.setMeta("floor_sequence", String(sequence))
        locked { $0.adoptFloor(sequence) }
    }

    public var isEmpty: Bool { appendedSequence == 0 }

    /// Reads every stored entry after `sequence`, in order. Call before `start`.
    public func replay(after sequence: UInt64 = 0, _ body: (SequencedEntry) throws -> Void) throws {
        precondition(notStarted, "replay runs before the writer starts")
        try store.read(after: sequence, body)
    }

    /// Numbers `entry` and the change `events` it yields and queues them for the next commit. Returns the entry's
    /// sequence number. Never waits: the queue's bound is kept by `admit`. Before `start`, entries just queue.
    public func append(_ entry: JournalEntry, events: ChangeEvents = []) -> UInt64 {
        precondition(events.isEmpty || configuration.eventEncoder != nil, "events need the journal's encoder")
        condition.lock()
        defer { condition.unlock() }
        let sequence = state.append(entry, events: events)
        condition.signal()
        return sequence
    }

    /// The sequence of the newest appended entry: a read that must not reveal anything not yet durable waits for
    /// this.
    public var appendedSequence: UInt64 { locked { $0.lastAppended } }

    /// The `seq` of the newest event appended: every event of the entries appended so far is at or before it.
    public var appendedEventSequence: UInt64 { locked { $0.lastEventAppended } }

    /// Commits since this journal was opened: with `durableSequence`, how many entries share one sync.
    public var commitCount: UInt64 { locked { $0.commits } }

    public var durableSequence: UInt64 { locked { $0.lastDurable } }

    /// Whether the writer runs and takes new entries: false before `start`, once stopping, and after a failed write.
    public var isWriting: Bool { locked { $0.state == .running } }

    /// Returns once every entry up to `sequence` is committed. No suspension when it already is.
    public func waitUntilDurable(_ sequence: UInt64) async throws {
        if isDurable(sequence) { return }
        try await withCheckedThrowingContinuation { (continuation: Waiter) in
            switch locked({ $0.registerWaiter(continuation, for: sequence) }) {
            case .resume: continuation.resume()
            case .fail: continuation.resume(throwing: JournalError.closed)
            case .wait: break
            }
        }
    }

    public func isDurable(_ sequence: UInt64) -> Bool { locked { sequence <= $0.lastDurable } }

    /// Waits until `entries` more fit under `queuedEntriesMax`, and reserves them. Waiting admissions are served
    /// in arrival order as commits make room. Throws `JournalError.closed` once the journal stops. Every admission
    /// must be followed by `release(entries:)` with the same count, once the request's entries are appended (or
    /// it appended none). So the entries of finished requests plus the reservations of running ones never pass
    /// the bound, as long as each request appends at most what it reserved. A request that may append more than
    /// the whole bound is counted as the bound, so that it can still run (alone).
    public func admit(entries: Int) async throws {
        guard entries > 0 else { return }
        switch locked({ $0.admitWithoutWaiting(entries) }) {
        case .admitted: return
        case .fail: throw JournalError.closed
        case .wait: break
        }
        try await withCheckedThrowingContinuation { (continuation: Waiter) in
            switch locked({ $0.admit(entries, continuation) }) {
            case .admitted: continuation.resume()
            case .fail: continuation.resume(throwing: JournalError.closed)
            case .wait: break
            }
        }
    }

    /// Gives back what `admit(entries:)` reserved.
    public func release(entries: Int) {
        guard entries > 0 else { return }
        for admission in locked({ $0.release(entries) }) { admission.resume() }
    }

    /// Entries queued or being written and not yet committed.
    public var outstandingEntries: Int { locked { $0.outstandingEntries } }

    /// Deletes entries up to `sequence` (which a durable snapshot covers), a chunk at a time between commits.
    /// Returns how many were deleted. `scrubbing` then leaves none of their bytes in the files: SQLite keeps
    /// deleted rows in free pages and the WAL, so the file is rewritten and the WAL emptied (`JournalStore.scrub`),
    /// as an erasure needs (decision 0022).
    public func compact(through sequence: UInt64, scrubbing: Bool = false) async throws -> Int {
        try await withCheckedThrowingContinuation { (continuation: CompactionWaiter) in
            condition.lock()
            let accepted = state.requestCompaction(through: sequence, continuation, scrubbing: scrubbing)
            condition.signal()
            condition.unlock()
            if !accepted { continuation.resume(throwing: JournalError.closed) }
        }
    }

    func resume(_ ready: JournalWriterState<Waiter, CompactionWaiter>.Ready) {
        for waiter in ready.waiters { waiter.resume() }
        for admission in ready.admissions { admission.resume() }
    }

    func fail(_ abandoned: JournalWriterState<Waiter, CompactionWaiter>.Abandoned, with error: JournalError) {
        for waiter in abandoned.waiters { waiter.resume(throwing: error) }
        for admission in abandoned.admissions { admission.resume(throwing: error) }
        abandoned.compaction?.resume(throwing: error)
    }
}
