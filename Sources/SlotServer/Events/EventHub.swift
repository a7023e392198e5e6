import Foundation
import Prometheus
import SlotDomain
import SlotJournal
import SlotWire
import Synchronization

/// Hands committed change events to the connections that subscribed to them. The journal tells it of each commit
/// (`publish`, on the writer's thread); it keeps the newest events in memory for subscribers catching up, and
/// pushes each event to every live subscription it matches, without waiting: a subscriber that falls behind by
/// more than its connection's buffer is cut off (`stream.lagged`), so that no subscriber slows the journal or
/// anyone else. Older events are read from the journal (`EventReader`) by the subscriber's own connection.
final class EventHub: Sendable {
    typealias Configuration = ServerConfiguration.Events

    /// What `attach` found: the subscription is live from now on, must first read events up to `through`, or
    /// was ended meanwhile (and stays ended).
    enum Attachment: Equatable {
        case live
        case catchUp(through: UInt64)
        case ended
    }

    private struct State {
        var head: UInt64
        /// The newest events, oldest first, at most `recentEventsMax` (trimmed in steps, so it may hold up to twice).
        var recent: [CommittedEvent] = []
        var live: [ObjectIdentifier: Subscription] = [:]
    }

    let configuration: Configuration
    /// `slotd_subscribers`, kept as subscriptions go live and end; nil without metrics.
    private let subscribersGauge: Gauge?
    /// Told after each commit's events are handed out: the webhook dispatcher wakes up for them.
    private let afterPublish: @Sendable () -> Void
    private let state = Mutex(State(head: 0))
    /// Opened with the journal (`journalOpened`): the hub exists before, as the journal's observer.
    private let reader = Mutex<EventReader?>(nil)

    init(
        configuration: Configuration = .init(), subscribersGauge: Gauge? = nil,
        afterPublish: @escaping @Sendable () -> Void = {}
    ) {
        self.configuration = configuration
        self.subscribersGauge = subscribersGauge
        self.afterPublish = afterPublish
    }

    /// The journal in `directory` is open and its newest committed event is `head`: before its writer starts.
    func journalOpened(directory: URL, head: UInt64) throws {
        let opened = try EventReader(directory: directory)
        reader.withLock { $0 = opened }
        state.withLock { $0.head = head }
    }

    /// Closes its journal connection: the journal stops after it.
    func close() {
        reader.withLock { $0?.close() }
    }

    private func openedReader() -> EventReader {
        guard let opened = reader.withLock({ $0 }) else { preconditionFailure("events read before the journal opened") }
        return opened
    }

    /// The newest event committed.
    var head: UInt64 { state.withLock { $0.head } }

    /// Subscriptions being served live (catching-up ones are not counted until they are live).
    var subscriberCount: Int { state.withLock { $0.live.count } }

    /// The oldest event a subscriber can still get: `from_seq` may be one less.
    func oldestRetained() throws -> UInt64 {
        let head = self.head
        return try openedReader().oldestRetained() ?? head + 1
    }

    /// Takes the events of a commit, in order. Called by the journal writer after each commit with events.
    func publish(_ events: [CommittedEvent]) {
        guard let last = events.last else { return }
        state.withLock { state in
            state.head = last.seq
            state.recent += events
            if state.recent.count > 2 * configuration.recentEventsMax {
                state.recent.removeFirst(state.recent.count - configuration.recentEventsMax)
            }
            guard !state.live.isEmpty else { return }
            var lagged: [ObjectIdentifier] = []
            // Each line once per commit, shared by every subscriber it goes to (arrays are copied on write only).
            let lines = events.map { EventJSON.line(body: $0.body) }
            for (key, subscription) in state.live where !subscription.offer(events, lines: lines) {
                lagged.append(key)
            }
            for key in lagged { state.live[key] = nil }
            if !lagged.isEmpty { subscribersGauge?.set(Int64(state.live.count)) }
        }
        afterPublish()
    }

    /// Events after `after` up to `through`, at most `limit`: from memory when it still has them all, else from
    /// the journal. Empty when compaction deleted them meanwhile.
    func events(after: UInt64, through: UInt64, limit: Int) throws -> [CommittedEvent] {
        let inMemory = state.withLock { state -> [CommittedEvent]? in
            guard let first = state.recent.first, first.seq <= after + 1 else { return nil }
            let start = Int(after + 1 - first.seq)
            let end = min(state.recent.count, start + limit, Int(through - first.seq + 1))
            return start < end ? Array(state.recent[start..<end]) : []
        }
        if let inMemory { return inMemory }
        return try openedReader().events(after: after, through: through, limit: limit)
    }

    /// Makes `subscription`, which has every event up to `after`, live when nothing newer was committed since;
    /// otherwise says up to where it must catch up first. Atomic with `publish`: no event is missed or sent twice
    /// between catching up and going live.
    func attach(_ subscription: Subscription, after: UInt64) -> Attachment {
        state.withLock { state in
            // Checked under the lock `detach` takes: an unsubscribe while it caught up must not leave it live.
            if subscription.isCancelled { return .ended }
            guard after >= state.head else { return .catchUp(through: state.head) }
            state.live[ObjectIdentifier(subscription)] = subscription
            subscribersGauge?.set(Int64(state.live.count))
            return .live
        }
    }

    /// Stops pushing to `subscription` (unsubscribe, or its connection ended).
    func detach(_ subscription: Subscription) {
        state.withLock { state in
            guard state.live.removeValue(forKey: ObjectIdentifier(subscription)) != nil else { return }
            subscribersGauge?.set(Int64(state.live.count))
        }
    }
}
