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
    // the writer thread once `start` has run.
    public struct Configuration: Sendable {
        /// Most entries written in one transaction.
        public var batchEntriesMax = 4_096
        public init() {}
    }

    private let store: JournalStore
    private let configuration: Configuration
    private let condition = NSCondition()
    private var queue: [SequencedEntry] = []
    private var lastAppended: UInt64
    private var lastDurable: UInt64
    private var waiters: [(sequence: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var stopping = false
    private var writerFinished = false
    private var writerStarted = false
    private let onFailure: @Sendable (JournalError) -> Never

    /// Opens (or creates) the journal in `directory`.
    public init(
        directory: URL, configuration: Configuration = .init(),
        onFailure: @escaping @Sendable (JournalError) -> Never = { fatalError("journal write failed: \($0)") }
    ) throws(JournalError) {
        store = try JournalStore(directory: directory)
        self.configuration = configuration
        self.onFailure = onFailure
        lastAppended = try store.lastSequence()
        lastDurable = lastAppended
    }

    /// Reads every stored entry after `sequence`, in order. Call before `start`.
    public func replay(after sequence: UInt64 = 0, _ body: (SequencedEntry) throws -> Void) throws {
        precondition(!writerStarted, "replay runs before the writer starts")
        try store.read(after: sequence, body)
    }

    /// Starts the writer thread.
    public func start() {
        condition.lock()
        precondition(!writerStarted)
        writerStarted = true
        condition.unlock()
        let thread = Thread { [self] in writerLoop() }
        thread.name = "slotd-journal-writer"
        thread.start()
    }

    /// Numbers `entry` and queues it for the next commit. Returns its sequence number.
    public func append(_ entry: JournalEntry) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        precondition(!stopping, "append after the journal stopped")
        lastAppended += 1
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

    /// Commits everything queued, stops the writer and returns when it has finished.
    public func stop() {
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
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty {
                writerFinished = true
                condition.broadcast()
                condition.unlock()
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

    private func markDurable(_ sequence: UInt64) {
        condition.lock()
        lastDurable = sequence
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
