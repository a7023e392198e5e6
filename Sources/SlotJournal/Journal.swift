import Foundation
import SlotDomain

/// The write-ahead journal with group commit.
///
/// `append` is synchronous and cheap: it numbers the entry and queues it, so a resource actor can decide, append
/// and mutate without an `await` in between. One writer thread takes everything queued, writes it in a single
/// SQLite transaction (one fsync), and then wakes every reply waiting on those entries. Replies are sent only
/// after `waitUntilDurable` returns, so nothing is acknowledged before it is on disk.
///
/// A failed commit leaves memory ahead of disk. The writer then calls `onFailure` and stops the process: a restart
/// replays the journal, which holds exactly what was acknowledged.
public final class Journal: @unchecked Sendable {
    // @unchecked: all mutable state below is guarded by `condition` (its lock), and `store` is touched only by
    // the writer thread once `start` has run (with the `.manual` writer: only by the caller of `commitQueued`,
    // `compact` and `crash`, one at a time).
    public struct Configuration: Sendable {
        /// Who commits what is queued.
        public enum Writer: Sendable {
            /// A thread of the journal's own, started by `start` (the server).
            case thread
            /// Whoever owns the journal, by calling `commitQueued`, on its own thread; `start` starts nothing.
            /// For a deterministic simulation, which decides when commits and crashes happen.
            case manual
        }

        public var writer = Writer.thread
        /// Most entries written in one transaction.
        public var batchEntriesMax = 4_096
        /// Most entries compaction deletes in one transaction; commits of new entries run in between, so this
        /// bounds how long compaction can hold up an acknowledgement (about 2-5 ms here at 2,000).
        public var compactionChunkEntriesMax = 2_000
        /// How long opening waits for the data folder's lock before it reports another server. The lock belongs
        /// to the open file, so a process that forks at the wrong moment (its child holds a copy of every
        /// descriptor until it executes) or a previous server still exiting holds it for a few milliseconds
        /// after its owner let go.
        public var lockWaitMilliseconds = 2_000
        public init() {}
    }

    private let store: JournalStore
    private let configuration: Configuration
    private let condition = NSCondition()
    private var queue: [SequencedEntry] = []
    private var lastAppended: UInt64
    private var lastDurable: UInt64
    private var commits: UInt64 = 0
    private var waiters: [(sequence: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var compaction: (through: UInt64, deleted: Int, continuation: CheckedContinuation<Int, any Error>)?
    private var stopping = false
    private var writerFinished = false
    private var writerStarted = false
    /// Set by `crash`.
    private var crashed = false
    private let onFailure: @Sendable (JournalError) -> Never
    /// This journal's identity (stored in it); snapshots carry it.
    public let journalID: String

    /// Opens (or creates) the journal in `directory`.
    public init(
        directory: URL, configuration: Configuration = .init(),
        onFailure: @escaping @Sendable (JournalError) -> Never = { fatalError("journal write failed: \($0)") }
    ) throws(JournalError) {
        store = try JournalStore(directory: directory, lockWaitMilliseconds: configuration.lockWaitMilliseconds)
        self.configuration = configuration
        self.onFailure = onFailure
        lastAppended = try store.lastSequence()
        lastDurable = lastAppended
        journalID = try store.journalID()
    }

    /// Entries up to here may exist only in snapshots.
    public func floor() throws(JournalError) -> UInt64 {
        precondition(!writerStarted, "read the floor before the writer starts")
        return try store.floor()
    }

    /// For a restore into a new data folder: numbering continues after `sequence`, which a snapshot covers.
    public func adoptFloor(_ sequence: UInt64) throws(JournalError) {
        precondition(!writerStarted, "adopt a floor before the writer starts")
        guard try store.entryCount() == 0, lastAppended == 0 else { throw .notEmpty }
        try store.setMeta("floor_sequence", String(sequence))
        lastAppended = sequence
        lastDurable = sequence
    }

    public var isEmpty: Bool {
        condition.lock()
        defer { condition.unlock() }
        return lastAppended == 0
    }

    /// Deletes entries up to `sequence` (which a durable snapshot covers), a chunk at a time between commits.
    /// Returns how many were deleted.
    public func compact(through sequence: UInt64) async throws -> Int {
        if configuration.writer == .manual { return try compactOnCaller(through: sequence) }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
            condition.lock()
            if writerFinished || stopping || compaction != nil {
                condition.unlock()
                continuation.resume(throwing: JournalError.closed)
                return
            }
            compaction = (sequence, 0, continuation)
            condition.signal()
            condition.unlock()
        }
    }

    /// Reads every stored entry after `sequence`, in order. Call before `start`.
    public func replay(after sequence: UInt64 = 0, _ body: (SequencedEntry) throws -> Void) throws {
        precondition(!writerStarted, "replay runs before the writer starts")
        try store.read(after: sequence, body)
    }

    /// Starts the writer thread; with the `.manual` writer, nothing (the owner commits with `commitQueued`).
    public func start() {
        guard configuration.writer == .thread else { return }
        condition.lock()
        precondition(!writerStarted)
        writerStarted = true
        condition.unlock()
        let thread = Thread { [self] in
            Self.nameCurrentThread("slotd-journal")
            writerLoop()
        }
        thread.start()
    }

    /// So that `top -H` and `/proc/PID/task/*/comm` show the writer: `Thread.name` does not reach the system
    /// thread here, which then keeps the name of the dispatch thread that started it, and `pthread_setname_np`
    /// is not visible to Swift. Linux allows 15 bytes. Best effort: a name is only a convenience.
    private static func nameCurrentThread(_ name: String) {
        #if os(Linux)
            let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return }
            defer { close(descriptor) }
            _ = Array(name.utf8.prefix(15)).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        #endif
    }

    /// Numbers `entry` and queues it for the next commit. Returns its sequence number.
    public func append(_ entry: JournalEntry) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        lastAppended += 1
        if crashed { return lastAppended }
        precondition(!stopping, "append after the journal stopped")
        queue.append(SequencedEntry(sequence: lastAppended, entry: entry))
        condition.signal()
        return lastAppended
    }

    /// The sequence of the newest appended entry: a read that must not reveal anything not yet durable waits for
    /// this.
    public var appendedSequence: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return lastAppended
    }

    /// Commits since this journal was opened: with `durableSequence`, how many entries share one sync.
    public var commitCount: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return commits
    }

    public var durableSequence: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return lastDurable
    }

    /// Returns once every entry up to `sequence` is committed. No suspension when it already is.
    public func waitUntilDurable(_ sequence: UInt64) async throws {
        if isDurable(sequence) { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            register(sequence, continuation)
        }
    }

    public func isDurable(_ sequence: UInt64) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return sequence <= lastDurable
    }

    private func register(_ sequence: UInt64, _ continuation: CheckedContinuation<Void, any Error>) {
        condition.lock()
        if sequence <= lastDurable {
            condition.unlock()
            continuation.resume()
        } else if writerFinished {
            condition.unlock()
            continuation.resume(throwing: JournalError.closed)
        } else {
            waiters.append((sequence, continuation))
            condition.unlock()
        }
    }

    /// Writes everything queued now, on the caller's thread, in transactions of at most `batchEntriesMax` entries,
    /// and resumes the waiters of each. Returns the durable sequence. For the `.manual` writer only; a failed write
    /// is thrown instead of stopping the process.
    @discardableResult
    public func commitQueued() throws(JournalError) -> UInt64 {
        precondition(configuration.writer == .manual, "commitQueued is for a journal without a writer thread")
        while true {
            condition.lock()
            if writerFinished || stopping {
                condition.unlock()
                throw .closed
            }
            let batch = Array(queue.prefix(configuration.batchEntriesMax))
            queue.removeFirst(batch.count)
            condition.unlock()
            guard let last = batch.last else { return durableSequence }
            try store.append(batch)
            markDurable(last.sequence)
        }
    }

    /// What `kill -9` does to memory: every queued entry not yet committed is dropped, every waiter fails with
    /// `JournalError.closed`, nothing more is written, and the store closes. Appends afterwards are numbered and
    /// dropped, as in a process that no longer exists.
    public func crash() {
        precondition(configuration.writer == .manual, "crash is for a journal without a writer thread")
        condition.lock()
        crashed = true
        stopping = true
        writerFinished = true
        queue = []
        let abandoned = waiters
        waiters = []
        condition.unlock()
        for waiter in abandoned { waiter.continuation.resume(throwing: JournalError.closed) }
        store.close()
    }

    /// The `.manual` writer's compaction: every chunk at once, on the caller's thread.
    private func compactOnCaller(through sequence: UInt64) throws(JournalError) -> Int {
        guard !isClosed else { throw .closed }
        var deleted = 0
        while true {
            let chunk = try store.compactChunk(
                through: sequence, chunkEntriesMax: configuration.compactionChunkEntriesMax)
            guard chunk > 0 else { return deleted }
            deleted += chunk
        }
    }

    private var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return writerFinished || stopping
    }

    /// Commits everything queued, stops the writer and returns when it has finished.
    public func stop() {
        if configuration.writer == .manual {
            if !isClosed {
                do { try commitQueued() } catch { onFailure(error) }
            }
            condition.lock()
            stopping = true
            writerFinished = true
            condition.unlock()
        }
        condition.lock()
        stopping = true
        condition.broadcast()
        while writerStarted && !writerFinished { condition.wait() }
        let abandoned = waiters
        waiters = []
        condition.unlock()
        for waiter in abandoned { waiter.continuation.resume(throwing: JournalError.closed) }
        store.close()
    }

    private func writerLoop() {
        while true {
            condition.lock()
            while queue.isEmpty && compaction == nil && !stopping { condition.wait() }
            if queue.isEmpty, let pending = compaction {
                condition.unlock()
                compactOneChunk(pending.through)
                continue
            }
            if queue.isEmpty {
                writerFinished = true
                let abandoned = compaction
                compaction = nil
                condition.broadcast()
                condition.unlock()
                abandoned?.continuation.resume(throwing: JournalError.closed)
                return
            }
            let batch = Array(queue.prefix(configuration.batchEntriesMax))
            queue.removeFirst(batch.count)
            condition.unlock()
            do {
                try store.append(batch)
            } catch {
                onFailure(error)
            }
            markDurable(batch[batch.count - 1].sequence)
        }
    }

    /// One compaction transaction; the request completes when nothing is left to delete. New entries take
    /// priority: the loop only gets here with an empty queue.
    private func compactOneChunk(_ through: UInt64) {
        let deleted: Int
        do {
            deleted = try store.compactChunk(through: through, chunkEntriesMax: configuration.compactionChunkEntriesMax)
        } catch {
            onFailure(error)
        }
        condition.lock()
        guard var pending = compaction else {
            condition.unlock()
            return
        }
        pending.deleted += deleted
        if deleted == 0 {
            compaction = nil
            condition.unlock()
            pending.continuation.resume(returning: pending.deleted)
        } else {
            compaction = pending
            condition.unlock()
        }
    }

    private func markDurable(_ sequence: UInt64) {
        condition.lock()
        lastDurable = sequence
        commits += 1
        var ready: [CheckedContinuation<Void, any Error>] = []
        waiters.removeAll { waiter in
            guard waiter.sequence <= sequence else { return false }
            ready.append(waiter.continuation)
            return true
        }
        condition.broadcast()
        condition.unlock()
        for continuation in ready { continuation.resume() }
    }
}
