import Logging
import NIOCore
import NIOPosix
import Testing

@testable import SlotServer

/// The sweeper's rules on one connection, with the clock passed in: what is in flight because of the server (a
/// request being decided, a reply waiting for a slow journal commit) never counts as the client's idleness.
@Suite struct ConnectionSweeperTests {
    /// A sweeper over one registered connection with a 2 s idle timeout. Its channel is a listening socket: the
    /// sweeper only closes it, and `isClosing` says whether it did.
    static func withSweeper(_ body: (ConnectionSweeper, ConnectionActivity) throws -> Void) async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { channel.close(promise: nil) }
        var configuration = ServerConfiguration()
        configuration.idleTimeoutSeconds = 2
        let budget = BufferBudget()
        let queue = ReplyQueue(capacity: 16, bytesMax: 1_048_576, budget: budget)
        let activity = ConnectionActivity(channel: channel, queue: queue, address: "127.0.0.1")
        let connections = ConnectionCounter()
        connections.register(1, activity)
        let sweeper = ConnectionSweeper(
            connections: connections, budget: budget, configuration: configuration, refusals: nil,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        try body(sweeper, activity)
    }

    /// Sweeps every 250 ms from `start` for `seconds`.
    static func sweep(
        _ sweeper: ConnectionSweeper, _ state: inout ConnectionSweeper.State, from start: ContinuousClock.Instant,
        seconds: Int
    ) {
        for step in 0...(seconds * 4) { sweeper.sweep(&state, now: start + .milliseconds(step * 250)) }
    }

    @Test func aReplyWaitingForTheJournalIsNotTheClientsIdleness() async throws {
        try await Self.withSweeper { sweeper, activity in
            var state = ConnectionSweeper.State()
            let start = ContinuousClock.now
            // A request taken and its reply queued, not yet durable: ten minutes of a stuck commit.
            activity.taken.add(1, ordering: .relaxed)
            activity.queue.push(PendingReply(bytes: Array(#"{"ok":true}"#.utf8), awaitedSequence: 7))
            Self.sweep(sweeper, &state, from: start, seconds: 600)
            #expect(!activity.isClosing, "closed while the server, not the client, was behind")
            // Durable now and handed to the socket, and the client takes none of it: its time starts now.
            activity.durable.add(1, ordering: .relaxed)
            let durableAt = start + .seconds(601)
            Self.sweep(sweeper, &state, from: durableAt, seconds: 1)
            #expect(!activity.isClosing)
            sweeper.sweep(&state, now: durableAt + .seconds(2))
            #expect(activity.isClosing, "replies not taken for the idle timeout")
        }
    }

    @Test func aRequestBeingDecidedIsNotIdleAndANewOneRestartsTheClock() async throws {
        try await Self.withSweeper { sweeper, activity in
            var state = ConnectionSweeper.State()
            let start = ContinuousClock.now
            // Quiet for just under the timeout, then a request that takes long to decide: nothing queued yet.
            Self.sweep(sweeper, &state, from: start, seconds: 1)
            activity.taken.add(1, ordering: .relaxed)
            Self.sweep(sweeper, &state, from: start + .milliseconds(1_750), seconds: 60)
            #expect(!activity.isClosing)
            // Answered: idle from the sweep that saw the answer.
            activity.durable.add(1, ordering: .relaxed)
            activity.answered.add(1, ordering: .relaxed)
            let answeredAt = start + .seconds(62)
            Self.sweep(sweeper, &state, from: answeredAt, seconds: 1)
            #expect(!activity.isClosing)
            sweeper.sweep(&state, now: answeredAt + .seconds(2))
            #expect(activity.isClosing, "idle for the timeout")
        }
    }
}
