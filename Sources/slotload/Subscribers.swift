import NIOCore
import NIOExtras
import NIOPosix
import SlotClient
import SlotDomain
import SlotWire

/// The `--subscribers` connections of a run: each subscribes to every resource (`"all": true`: slotload's
/// resources are far more than one `subscribe` may name, and a subscriber of all of them sees the run's whole
/// stream), from the head, before the load starts, and keeps every event until the verdict. Events of other
/// resources count in the totals and are not judged.
struct Subscribers {
    /// How long the end of the run waits for a subscriber to be sent the events up to the head.
    static let catchUpTimeout = TimeAmount.seconds(30)
    /// `get_booking` requests pipelined at once by the end-of-run reading.
    static let readingsPerPipelineMax = 512

    private var members: [(channel: any Channel, handler: SubscriberHandler)] = []

    /// What a subscriber saw, for the report.
    struct Summary: Sendable {
        var eventLines: Int
        var bookingEvents: Int
        var fromSeq: UInt64
        var lastSeq: UInt64?
    }

    static func connect(count: Int, plan: Plan, endpoint: SlotEndpoint) async throws -> Subscribers {
        let resources = Dictionary(uniqueKeysWithValues: plan.resources.enumerated().map { ($1, $0) })
        var subscribers = Subscribers()
        for index in 0..<count {
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            let subscribed = loop.makePromise(of: Void.self)
            let handler = SubscriberHandler(resources: resources, subscribed: subscribed)
            let authenticationLine = endpoint.authenticationLine()
            let channel: any Channel
            do {
                channel = try await ClientBootstrap(group: loop)
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try endpoint.addTLS(to: channel)
                            let pipeline = channel.pipeline.syncOperations
                            try pipeline.addHandler(
                                ByteToMessageHandler(LineBasedFrameDecoder(), maximumBufferSize: 16 * 1_024 * 1_024))
                            if let authenticationLine {
                                let authenticated = channel.eventLoop.makePromise(of: Void.self)
                                try pipeline.addHandler(
                                    LoadAuthentication(line: authenticationLine, authenticated: authenticated))
                            }
                            try pipeline.addHandler(handler)
                        }
                    }
                    .connect(host: endpoint.host, port: endpoint.port).get()
            } catch {
                subscribed.fail(error)
                throw VerificationFailed("subscriber \(index) cannot connect: \(error)")
            }
            do {
                try await subscribed.futureResult.get()
                subscribers.members.append((channel, handler))
            } catch {
                throw VerificationFailed("subscriber \(index) could not subscribe: \(error)")
            }
        }
        return subscribers
    }

    /// Waits until each subscriber was sent the events up to `headSeq`, ends its subscription and returns what it
    /// saw.
    func stop(headSeq: UInt64) async -> [SubscriberLog] {
        var logs: [SubscriberLog] = []
        for (channel, handler) in members {
            let log = try? await channel.eventLoop.flatSubmit {
                handler.reached(headSeq, timeout: Self.catchUpTimeout, context: channel.eventLoop)
                    .flatMap { handler.stop(channel: channel) }
            }.get()
            logs.append(log ?? SubscriberLog(failure: "its connection failed"))
        }
        return logs
    }

    /// The newest event's seq: the head a fresh subscription reports.
    static func headSeq(_ endpoint: SlotEndpoint) async throws -> UInt64 {
        try await SlotConnection.withConnection(to: endpoint) { client in
            let reply = try await client.call(["op": "subscribe", "all": true])
            guard let head = reply["subscription"]?["head_seq"]?.int else {
                throw VerificationFailed("subscribe failed: \(reply)")
            }
            _ = try await client.call(["op": "unsubscribe"])
            return UInt64(head)
        }
    }
}
