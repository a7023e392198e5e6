import Foundation

/// The writer's life: start, the loop that carries out `JournalWriterState.nextWork`, stop, crash, and the manual
/// commit of a journal without a thread.
extension Journal {
    /// Starts the writer: a thread (`Configuration.writer` `.thread`), or nothing for `.manual`, whose owner
    /// commits with `commitQueued`. Entries appended before this were queued and are written first.
    public func start() {
        let thread = configuration.writer == .thread
        locked { $0.start(thread: thread) }
        guard thread else { return }
        Thread { [self] in
            Self.nameCurrentThread("slotd-journal")
            do throws(JournalError) {
                try work(sleepingWhenIdle: true)
            } catch {
                onFailure(error)
            }
        }.start()
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

    /// Commits everything queued, stops the writer and returns when it has finished; then closes the store. A
    /// journal whose writer never started (or is manual) commits on the caller's thread. Admissions still waiting
    /// fail with `JournalError.closed`, and so do waiters for entries never appended. Does nothing the second time.
    public func stop() {
        condition.lock()
        switch state.stop() {
        case .none:
            condition.unlock()
            return
        case .waitForWriter(let abandoned):
            condition.broadcast()
            while state.writerThreadRunning { condition.wait() }
            condition.unlock()
            fail(abandoned, with: .closed)
        case .drainOnCaller(let abandoned):
            condition.unlock()
            fail(abandoned, with: .closed)
            manualTurn.lock()
            defer { manualTurn.unlock() }
            do throws(JournalError) {
                try work(sleepingWhenIdle: false)
            } catch {
                onFailure(error)
            }
        }
        store.close()
    }

    /// Writes everything queued now, on the caller's thread, in transactions of at most `batchEntriesMax`
    /// entries, resuming the waiters of each; then runs a pending compaction to its end. Returns the durable
    /// sequence. For `Configuration.writer` `.manual`. A failed write is thrown (after failing every waiter with
    /// it) instead of stopping the process; the journal is then closed to further commits.
    @discardableResult
    public func commitQueued() throws(JournalError) -> UInt64 {
        precondition(configuration.writer == .manual, "commitQueued is for a journal without a writer thread")
        manualTurn.lock()
        defer { manualTurn.unlock() }
        guard !locked({ $0.state.isOver }) else { throw .closed }
        try work(sleepingWhenIdle: false)
        return durableSequence
    }

    /// What `kill -9` does to memory: every entry queued and not committed is dropped, every waiter and admission
    /// fails with `JournalError.closed`, the writer stops without committing, and the store closes. A batch the
    /// writer thread is already writing may still reach the disk, as it may in a process killed during its fsync;
    /// nobody waiting learns of it. Appends afterwards are numbered and dropped.
    public func crash() {
        condition.lock()
        let abandoned = state.crash()
        condition.broadcast()
        while state.writerThreadRunning { condition.wait() }
        condition.unlock()
        // A manual commit in progress finishes its transaction before the store closes under it.
        manualTurn.lock()
        manualTurn.unlock()
        fail(abandoned, with: .closed)
        store.close()
    }

    /// Carries out `nextWork` until the writer finishes, or, when not `sleepingWhenIdle`, until nothing is left
    /// to do. A failed write fails every waiter with its error and is thrown.
    func work(sleepingWhenIdle: Bool) throws(JournalError) {
        while true {
            condition.lock()
            var work = state.nextWork()
            while sleepingWhenIdle, case .wait = work {
                condition.wait()
                work = state.nextWork()
            }
            if case .finish = work { condition.broadcast() }
            condition.unlock()
            switch work {
            case .wait:
                return
            case .finish(let abandoned):
                fail(abandoned, with: .closed)
                return
            case .write(let batch):
                let startedNanoseconds = commitObserver == nil ? 0 : DispatchTime.now().uptimeNanoseconds
                let events: [CommittedEvent]
                do {
                    events = try store.append(batch, encoder: configuration.eventEncoder)
                } catch {
                    fail(locked { $0.writeFailed() }, with: error)
                    throw error
                }
                let commitNanoseconds =
                    commitObserver == nil ? 0 : DispatchTime.now().uptimeNanoseconds &- startedNanoseconds
                resume(locked { $0.batchCommitted(through: batch[batch.count - 1].sequence) })
                // After the waiters are resumed, so that observing delays no acknowledgement.
                commitObserver?(batch.count, commitNanoseconds)
                if !events.isEmpty { eventObserver?(events) }
            case .compact(let through):
                let deleted: Int
                do {
                    deleted = try store.compactChunk(
                        through: through, chunkEntriesMax: configuration.compactionChunkEntriesMax)
                } catch {
                    fail(locked { $0.writeFailed() }, with: error)
                    throw error
                }
                guard let done = locked({ $0.compactionChunkDeleted(deleted) }) else { continue }
                if done.scrubbing {
                    // Not a write failure: every entry is still committed, only the old bytes may remain.
                    do throws(JournalError) {
                        try store.scrub()
                    } catch {
                        done.waiter.resume(throwing: error)
                        continue
                    }
                }
                done.waiter.resume(returning: done.deleted)
            }
        }
    }
}
