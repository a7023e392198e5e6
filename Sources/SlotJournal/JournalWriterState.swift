import SlotDomain

/// The journal writer's decisions, without the thread, the lock or SQLite: each event is a `mutating func` that
/// returns what the caller must do (write a batch, resume these waiters, fail those), so the rules are tested as
/// values and the `Journal` class only carries them out. Not thread-safe: the class calls it under its lock.
///
/// Generic over what a waiter is (a continuation in the server, a number in tests): `Waiter` is resumed without a
/// value, `Compaction` with the number of entries deleted.
struct JournalWriterState<Waiter, Compaction> {
    enum State: Equatable {
        /// Opened; appends queue until a writer runs (or `stop` commits them on the caller's thread).
        case notStarted
        case running
        /// Committing what is queued (and finishing a compaction), then finished. Appending is a broken invariant.
        case stopping
        /// Everything queued was committed and the writer has returned.
        case finished
        /// A write failed: memory is ahead of disk, and nothing more is committed.
        case failed
        /// `crash`: the queue was dropped uncommitted, as a killed process loses it.
        case crashed

        /// Whether the writer may take on new work: appends, waiters, admissions and compactions.
        var isOpen: Bool { self == .notStarted || self == .running }
        /// Whether the writer's loop has nothing more to do.
        var isOver: Bool { self == .finished || self == .failed || self == .crashed }
    }

    /// What the writer does next.
    enum Work {
        /// Write these entries (and their events) in one transaction, then report `batchCommitted` or
        /// `writeFailed`.
        case write([QueuedEntry])
        /// Delete one chunk of entries up to here, then report `compactionChunkDeleted` or `writeFailed`.
        case compact(through: UInt64)
        /// Nothing to do until something is appended, a compaction is asked for, or the journal stops.
        case wait
        /// The writer is done; fail what was still waiting with `JournalError.closed`.
        case finish(Abandoned)
    }

    /// Waiters that will never see their condition met; the class resumes each with an error.
    struct Abandoned {
        var waiters: [Waiter] = []
        var admissions: [Waiter] = []
        var compaction: Compaction?
    }

    /// Waiters whose condition is met; the class resumes each.
    struct Ready {
        var waiters: [Waiter] = []
        var admissions: [Waiter] = []
    }

    enum Registration {
        case resume
        case fail
        case wait
    }

    enum StopAction {
        /// The writer thread runs: wake it and wait for it to finish.
        case waitForWriter(Abandoned)
        /// No thread runs: commit what is queued on the caller's thread (`nextWork` until `.finish`).
        case drainOnCaller(Abandoned)
        /// Stopped, failed or crashed already.
        case none
    }

    let batchEntriesMax: Int
    let queuedEntriesMax: Int
    private(set) var state = State.notStarted
    private(set) var lastAppended: UInt64
    private(set) var lastDurable: UInt64
    /// The `seq` of the newest change event appended: events are numbered with their entries, in the same order.
    private(set) var lastEventAppended: UInt64
    private(set) var commits: UInt64 = 0
    /// A writer thread was started and has not yet returned: `stop` and `crash` wait for it before the store
    /// closes under it.
    private(set) var writerThreadRunning = false
    /// Appended, not yet taken by the writer.
    private var queue: [QueuedEntry] = []
    /// Taken by the writer, not yet committed.
    private var writingEntries = 0
    /// Entries admitted requests may still append (`admit` adds, `release` takes away).
    private(set) var reservedEntries = 0
    /// Bounded by the replies being waited for: one per connection's reply writer, which waits for one batch at
    /// a time (so at most `ServerConfiguration.connectionsMax`, well within connections × pipelined requests,
    /// `inFlightRequestsPerConnectionMax`), plus one per snapshot being taken.
    private var waiters: [(sequence: UInt64, waiter: Waiter)] = []
    /// Admissions waiting for room, first come first served. Bounded by the connections: each decides one
    /// request at a time.
    private var admissions: [(entries: Int, waiter: Waiter)] = []
    /// `scrubbing`: once the entries are deleted, the file is rewritten and the WAL emptied (`JournalStore.scrub`).
    private var compaction: (through: UInt64, deleted: Int, scrubbing: Bool, waiter: Compaction)?

    init(lastSequence: UInt64, lastEventSequence: UInt64 = 0, batchEntriesMax: Int, queuedEntriesMax: Int) {
        precondition(batchEntriesMax > 0 && queuedEntriesMax > 0, "journal limits must be positive")
        self.batchEntriesMax = batchEntriesMax
        self.queuedEntriesMax = queuedEntriesMax
        lastAppended = lastSequence
        lastDurable = lastSequence
        lastEventAppended = lastEventSequence
    }

    /// Entries appended and not yet committed: what the bound counts.
    var outstandingEntries: Int { queue.count + writingEntries }
    var waitingAdmissions: Int { admissions.count }
    var durabilityWaiterCount: Int { waiters.count }

    // MARK: Before the writer starts

    mutating func adoptFloor(_ sequence: UInt64) {
        precondition(state == .notStarted, "adopt a floor before the writer starts")
        lastAppended = sequence
        lastDurable = sequence
    }

    /// `thread`: a writer thread will call `nextWork`; otherwise the owner commits (`Journal.commitQueued`).
    mutating func start(thread: Bool) {
        precondition(state == .notStarted, "the journal writer starts once")
        state = .running
        writerThreadRunning = thread
    }

    // MARK: Appending

    /// Numbers `entry` and its `events` and queues them. Never waits: the bound is kept by `admit`, before a
    /// request decides.
    mutating func append(_ entry: JournalEntry, events: ChangeEvents = []) -> UInt64 {
        precondition(state != .stopping && state != .finished, "append after the journal stopped")
        lastAppended += 1
        let firstEvent = lastEventAppended + 1
        lastEventAppended += UInt64(events.count)
        // After a crash or a failed write nothing more is committed: the entry is numbered and lost, as it
        // would be in a process that had died.
        if state.isOpen {
            queue.append(
                QueuedEntry(
                    sequenced: SequencedEntry(sequence: lastAppended, entry: entry), events: events,
                    firstEventSequence: firstEvent))
        }
        return lastAppended
    }

    // MARK: The writer

    mutating func nextWork() -> Work {
        precondition(writingEntries == 0, "the writer takes one batch at a time")
        if state.isOver {
            writerThreadRunning = false
            return .finish(Abandoned())
        }
        if !queue.isEmpty {
            let count = min(queue.count, batchEntriesMax)
            let batch = Array(queue.prefix(count))
            queue.removeFirst(count)
            writingEntries = count
            return .write(batch)
        }
        // New entries go first: a compaction chunk runs only when nothing waits to be committed.
        if let compaction { return .compact(through: compaction.through) }
        guard state == .stopping else { return .wait }
        state = .finished
        writerThreadRunning = false
        return .finish(abandonAll())
    }

    /// The batch ending at `sequence` is on disk.
    mutating func batchCommitted(through sequence: UInt64) -> Ready {
        writingEntries = 0
        // After `crash` the waiters were already failed; a batch the writer had in hand may still land.
        guard !state.isOver else { return Ready() }
        precondition(sequence > lastDurable && sequence <= lastAppended, "commits follow the appended sequence")
        lastDurable = sequence
        commits += 1
        var ready = Ready()
        waiters.removeAll { entry in
            guard entry.sequence <= sequence else { return false }
            ready.waiters.append(entry.waiter)
            return true
        }
        ready.admissions = admitWaiting()
        return ready
    }

    /// A chunk of the pending compaction was deleted. Returns the compaction's waiter, its total and whether it
    /// asked for a scrub, once nothing is left to delete.
    mutating func compactionChunkDeleted(_ deleted: Int) -> (waiter: Compaction, deleted: Int, scrubbing: Bool)? {
        guard var pending = compaction else { return nil }
        pending.deleted += deleted
        guard deleted == 0 else {
            compaction = pending
            return nil
        }
        compaction = nil
        return (pending.waiter, pending.deleted, pending.scrubbing)
    }

    /// A write failed: nothing more is committed, and everything waiting fails (with the write's error).
    mutating func writeFailed() -> Abandoned {
        writingEntries = 0
        guard !state.isOver else { return Abandoned() }
        state = .failed
        queue = []
        return abandonAll()
    }

    // MARK: Waiting

    mutating func registerWaiter(_ waiter: Waiter, for sequence: UInt64) -> Registration {
        if sequence <= lastDurable { return .resume }
        if state.isOver { return .fail }
        waiters.append((sequence, waiter))
        return .wait
    }

    /// Asks for compaction up to `sequence`; false when one is already pending or the journal is closing.
    mutating func requestCompaction(through sequence: UInt64, _ waiter: Compaction, scrubbing: Bool = false) -> Bool {
        guard state.isOpen, compaction == nil else { return false }
        compaction = (sequence, 0, scrubbing, waiter)
        return true
    }

    // MARK: The bound

    enum Admission {
        case admitted
        case wait
        case fail
    }

    /// Reserves room for `entries` when it fits and nobody waits; `.wait` means: call `admit` with a waiter.
    mutating func admitWithoutWaiting(_ entries: Int) -> Admission {
        let entries = min(entries, queuedEntriesMax)
        guard state.isOpen else { return .fail }
        guard admissions.isEmpty && fits(entries) else { return .wait }
        reservedEntries += entries
        return .admitted
    }

    /// Reserves room for `entries` (at most `queuedEntriesMax`, so that any request can eventually run), or
    /// queues the waiter behind earlier ones until commits or releases make room.
    mutating func admit(_ entries: Int, _ waiter: Waiter) -> Admission {
        let decision = admitWithoutWaiting(entries)
        if decision == .wait { admissions.append((min(entries, queuedEntriesMax), waiter)) }
        return decision
    }

    /// Gives back a reservation taken by `admit(entries)`. Returns the admissions that now fit.
    mutating func release(_ entries: Int) -> [Waiter] {
        let entries = min(entries, queuedEntriesMax)
        precondition(entries <= reservedEntries, "released more journal entries than were reserved")
        reservedEntries -= entries
        return admitWaiting()
    }

    private func fits(_ entries: Int) -> Bool {
        reservedEntries + outstandingEntries + entries <= queuedEntriesMax
    }

    /// In arrival order, as many waiting admissions as fit; the first that does not fit holds back the rest, so
    /// a large request is not overtaken for ever by small ones.
    private mutating func admitWaiting() -> [Waiter] {
        var admitted = 0
        for (entries, _) in admissions {
            guard fits(entries) else { break }
            reservedEntries += entries
            admitted += 1
        }
        guard admitted > 0 else { return [] }
        let ready = admissions.prefix(admitted).map(\.waiter)
        admissions.removeFirst(admitted)
        return ready
    }

    // MARK: Ending

    /// Graceful stop: what is queued is still committed. Waiting admissions fail at once, as nothing may be
    /// appended any more.
    mutating func stop() -> StopAction {
        guard state.isOpen else { return .none }
        state = .stopping
        var abandoned = Abandoned()
        abandoned.admissions = admissions.map(\.waiter)
        admissions = []
        return writerThreadRunning ? .waitForWriter(abandoned) : .drainOnCaller(abandoned)
    }

    /// What a killed process loses: the queue, uncommitted; every waiter fails. A batch the writer already holds
    /// may still be committed (as it may in a process killed during its fsync), but nobody learns of it.
    mutating func crash() -> Abandoned {
        guard !state.isOver else { return Abandoned() }
        state = .crashed
        queue = []
        return abandonAll()
    }

    private mutating func abandonAll() -> Abandoned {
        let abandoned = Abandoned(
            waiters: waiters.map(\.waiter), admissions: admissions.map(\.waiter), compaction: compaction?.waiter)
        waiters = []
        admissions = []
        compaction = nil
        return abandoned
    }
}
