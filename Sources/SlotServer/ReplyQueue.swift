import SlotWire
import Synchronization

/// A reply waiting to be sent: its bytes, and the journal position that must be durable first.
struct PendingReply: Sendable {
    var bytes: [UInt8]
    var awaitedSequence: UInt64
    /// Close the connection once this reply is out (after `line_too_long`).
    var closeAfter = false
    /// Where the reply is counted once written (nil: not counted, as for an in-process connection's replies).
    var series: RequestSeries?
    /// The error code of a failure reply; nil for success.
    var errorCode: String?
    /// When the request's line arrived (`NIODeadline` nanoseconds), for `slotd_request_duration_seconds`.
    var arrivedNanoseconds: UInt64 = 0
    /// The request's span to end and its `--log-requests` line to log once written; nil when neither is on.
    var followUp: ReplyFollowUp?
    /// A line of the change stream rather than a reply (counted in the subscriber's buffer until written).
    var isEventLine = false
    /// The subscription a `subscribe` reply starts: once the reply is written, the writer catches it up.
    var startsStream: Subscription?

    init(bytes: [UInt8], awaitedSequence: UInt64) {
        self.bytes = bytes
        self.awaitedSequence = awaitedSequence
    }

    /// An error reply, remembering its code for the metrics.
    static func failure(id: RequestID, _ error: WireError, awaitedSequence: UInt64) -> PendingReply {
        var reply = PendingReply(bytes: ReplyEncoder.failure(id: id, error), awaitedSequence: awaitedSequence)
        reply.errorCode = error.code
        return reply
    }
}

/// The queue between a connection's reader (which decides requests in order) and its writer (which waits for
/// durability and sends replies in the same order). One producer, one consumer.
///
/// It bounds the replies not yet written, by count and by bytes: when `capacity` are outstanding, or they hold
/// `bytesMax` bytes, the reader waits. So a client that pipelines faster than the journal commits, or that does
/// not read its replies, is slowed down instead of growing the server's memory (a thousand large availability
/// replies would otherwise be held for one connection). The writer takes everything queued at once, so a
/// pipelined burst leaves in one write after one durability wait.
///
/// While the server-wide `budget` is exhausted, a queue that still holds unwritten replies has no room either:
/// the connections that are behind stop, and one whose client reads its replies goes on once they are out.
final class ReplyQueue: Sendable {
    private struct State {
        var items: [PendingReply] = []
        var unwritten = 0
        var unwrittenBytes = 0
        /// Of `unwrittenBytes`, those of change stream lines.
        var unwrittenEventBytes = 0
        var finished = false
        var closed = false
        var waitingConsumer: CheckedContinuation<[PendingReply], Never>?
        var waitingProducer: CheckedContinuation<Void, Never>?
    }

    private let capacity: Int
    private let bytesMax: Int
    private let budget: BufferBudget
    private let state = Mutex(State())

    init(capacity: Int, bytesMax: Int, budget: BufferBudget) {
        precondition(capacity > 0 && bytesMax > 0)
        self.capacity = capacity
        self.bytesMax = bytesMax
        self.budget = budget
    }

    /// Room for one more reply: always when none is unwritten, so a single reply larger than `bytesMax` still goes.
    private func hasRoom(_ state: State) -> Bool {
        state.closed || state.unwritten == 0
            || (state.unwritten < capacity && state.unwrittenBytes < bytesMax && !budget.isExhausted)
    }

    /// Bytes of replies decided and not yet handed to the socket.
    var heldBytes: Int { state.withLock { $0.unwrittenBytes } }

    /// Queues a reply. Dropped once the writer is gone. The reader calls `awaitRoom` before deciding the request,
    /// so that a reply is not even built while there is no room for it.
    func push(_ reply: PendingReply) {
        let handOff = state.withLock { state -> (CheckedContinuation<[PendingReply], Never>, [PendingReply])? in
            guard !state.closed else { return nil }
            return Self.append(reply, to: &state)
        }
        if let (consumer, items) = handOff { consumer.resume(returning: items) }
    }

    /// Queues a line of a live change stream without waiting (the journal's writer thread calls this). False, and
    /// nothing queued, when the stream lines not yet written would pass `bufferedBytesMax`.
    func pushEvent(_ line: [UInt8], bufferedBytesMax: Int) -> Bool {
        var reply = PendingReply(bytes: line, awaitedSequence: 0)
        reply.isEventLine = true
        let handOff = state.withLock { state -> (CheckedContinuation<[PendingReply], Never>, [PendingReply])?? in
            guard !state.closed else { return .some(nil) }
            guard state.unwrittenEventBytes + line.count <= bufferedBytesMax else { return nil }
            state.unwrittenEventBytes += line.count
            return .some(Self.append(reply, to: &state))
        }
        guard let handOff else { return false }
        if let (consumer, items) = handOff { consumer.resume(returning: items) }
        return true
    }

    /// Queues a last line (`stream.lagged`) past every bound; the connection closes once it is written.
    func pushClosing(_ line: [UInt8]) {
        var reply = PendingReply(bytes: line, awaitedSequence: 0)
        reply.closeAfter = true
        reply.isEventLine = true
        let handOff = state.withLock { state -> (CheckedContinuation<[PendingReply], Never>, [PendingReply])? in
            guard !state.closed else { return nil }
            state.unwrittenEventBytes += line.count
            return Self.append(reply, to: &state)
        }
        if let (consumer, items) = handOff { consumer.resume(returning: items) }
    }

    private static func append(_ reply: PendingReply, to state: inout State) -> (
        CheckedContinuation<[PendingReply], Never>, [PendingReply]
    )? {
        state.unwritten += 1
        state.unwrittenBytes += reply.bytes.count
        state.items.append(reply)
        guard let consumer = state.waitingConsumer else { return nil }
        state.waitingConsumer = nil
        defer { state.items = [] }
        return (consumer, state.items)
    }

    /// Returns once there is room for one more reply (see the type).
    func awaitRoom() async {
        while !state.withLock({ hasRoom($0) }) {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if hasRoom(state) { return true }
                    state.waitingProducer = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Everything queued, in order; waits while nothing is. Empty means finished and drained.
    func takeAll() async -> [PendingReply] {
        if let ready = state.withLock({ Self.take(&$0) }) { return ready }
        return await withCheckedContinuation { (continuation: CheckedContinuation<[PendingReply], Never>) in
            let ready = state.withLock { state -> [PendingReply]? in
                if let ready = Self.take(&state) { return ready }
                state.waitingConsumer = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private static func take(_ state: inout State) -> [PendingReply]? {
        guard !state.items.isEmpty || state.finished else { return nil }
        defer { state.items = [] }
        return state.items
    }

    /// The writer sent `count` replies of `bytes` bytes in all (`eventBytes` of them stream lines): room for the
    /// reader again.
    func written(_ count: Int, bytes: Int, eventBytes: Int = 0) {
        let producer = state.withLock { state in
            state.unwritten -= count
            state.unwrittenBytes -= bytes
            state.unwrittenEventBytes -= eventBytes
            defer { state.waitingProducer = nil }
            return state.waitingProducer
        }
        producer?.resume()
    }

    /// The reader is done: the writer drains what is queued and stops.
    func finish() {
        let consumer = state.withLock { state in
            state.finished = true
            defer { state.waitingConsumer = nil }
            return state.waitingConsumer
        }
        consumer?.resume(returning: [])
    }

    /// The server-wide budget has room again: a reader waiting only for it looks again.
    func budgetFreed() {
        let producer = state.withLock { state in
            defer { state.waitingProducer = nil }
            return state.waitingProducer
        }
        producer?.resume()
    }

    /// The writer is gone (the peer left or a write failed): the reader must not wait for room any more.
    func close() {
        let producer = state.withLock { state in
            state.closed = true
            defer { state.waitingProducer = nil }
            return state.waitingProducer
        }
        producer?.resume()
    }
}
