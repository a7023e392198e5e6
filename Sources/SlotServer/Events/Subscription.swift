import SlotDomain
import SlotJournal
import SlotWire
import Synchronization

/// One connection's subscription to the change stream: what it asked for, and how far it has got. It catches up
/// first (its connection's writer reads older events and writes them, at the pace the client reads), then goes
/// live: the hub pushes each new matching event into the connection's reply queue, without waiting, up to
/// `EventHub.Configuration.subscriberBufferedBytesMax` bytes not yet taken by the socket; past that it queues
/// `stream.lagged` and is dropped. The notice comes after every event queued before it, so its `resume_from` is
/// exact for a client that reads it; one that reads nothing is closed after `lagGraceSeconds` all the same.
final class Subscription: Sendable {
    let filter: EventFilter
    private let queue: ReplyQueue
    private let bufferedBytesMax: Int
    /// Closes the connection some time after `stream.lagged` was queued, in case the client never reads it.
    private let cutOff: @Sendable () -> Void
    /// Whether the token the connection subscribed with still stands (not revoked, not expired): a subscriber
    /// sends no request, so the stream is where a revocation must take effect.
    private let stillAuthorized: @Sendable () -> Bool
    /// Closes the connection at once, for a subscriber whose token no longer stands.
    private let close: @Sendable () -> Void
    /// The newest event this subscription has been given or passed over (not matching): where a resume starts.
    private let considered: Atomic<UInt64>
    private let cancelled = Atomic<Bool>(false)

    init(
        filter: EventFilter, after seq: UInt64, queue: ReplyQueue, bufferedBytesMax: Int,
        cutOff: @escaping @Sendable () -> Void, stillAuthorized: @escaping @Sendable () -> Bool = { true },
        close: @escaping @Sendable () -> Void = {}
    ) {
        self.filter = filter
        self.queue = queue
        self.bufferedBytesMax = bufferedBytesMax
        self.cutOff = cutOff
        self.stillAuthorized = stillAuthorized
        self.close = close
        considered = Atomic(seq)
    }

    var lastConsidered: UInt64 { considered.load(ordering: .acquiring) }
    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    /// Unsubscribed, or its connection ended: a catch-up in progress stops at its next chunk.
    func cancel() { cancelled.store(true, ordering: .releasing) }

    /// Catching up, the writer has sent (or passed over) every event up to `seq`.
    func caughtUp(through seq: UInt64) { considered.store(seq, ordering: .releasing) }

    /// Live: queues the events of one commit that match. False when the connection's buffer would overflow: then
    /// `stream.lagged` is queued instead, the connection closes once it is written, and the hub drops this
    /// subscription.
    /// `lines` are the events' stream lines, in the same order.
    func offer(_ events: [CommittedEvent], lines: [[UInt8]]) -> Bool {
        guard stillAuthorized() else {
            cancel()
            close()
            return false
        }
        var last = considered.load(ordering: .acquiring)
        defer { considered.store(last, ordering: .releasing) }
        for (event, line) in zip(events, lines) where event.seq > last {
            if filter.matches(event) {
                guard queue.pushEvent(line, bufferedBytesMax: bufferedBytesMax) else {
                    queue.pushClosing(EventJSON.laggedLine(resumeFrom: last))
                    cancel()
                    cutOff()
                    return false
                }
            }
            last = event.seq
        }
        return true
    }
}
