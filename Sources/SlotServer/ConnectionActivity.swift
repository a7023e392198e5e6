import NIOCore
import SlotWire
import Synchronization

/// What the connection sweeper (`ConnectionSweeper`) needs to know about one open connection, kept as counters
/// that the connection bumps without reading a clock: the sweeper notices when they stop moving. One relaxed
/// atomic add per request and two per written batch, and one store per read that starts or ends a partial line.
final class ConnectionActivity: Sendable {
    let channel: any Channel
    /// The connection's replies not yet handed to its socket: what it costs the server-wide budget.
    let queue: ReplyQueue
    /// The client's IP address, as counted against `connectionsPerAddressMax`.
    let address: String
    /// Requests taken (and `line_too_long` replies queued).
    let taken = Atomic<UInt64>(0)
    /// Replies made durable and given to the writer for the socket; ahead of `answered` only while the writer
    /// waits for the client to take them, not while it waits for the journal.
    let durable = Atomic<UInt64>(0)
    /// Replies handed to the socket; equal to `taken` when nothing is in flight.
    let answered = Atomic<UInt64>(0)
    /// Maintained by `PartialLineTracker`: the number of partial lines begun, times two, plus one while the bytes
    /// received end in the middle of a line. The same odd value on two sweeps means the same line is unfinished.
    let lineState = Atomic<UInt64>(0)
    /// The connection follows the change stream: waiting for events is what it is for, so it is never idle.
    let subscribed = Atomic<Bool>(false)
    private let closing = Atomic<Bool>(false)

    init(channel: any Channel, queue: ReplyQueue, address: String) {
        self.channel = channel
        self.queue = queue
        self.address = address
    }

    var isClosing: Bool { closing.load(ordering: .relaxed) }

    /// Sends `error` as a last line (if the socket has room for it now) and closes the connection. The connection's
    /// own task then sees its input end, and its writer fails, which frees what it held. Only the first call acts.
    func close(sending error: WireError) {
        guard !closing.exchange(true, ordering: .relaxed) else { return }
        let line = ByteBuffer(bytes: ReplyEncoder.failure(id: .null, error))
        let channel = channel
        channel.eventLoop.execute {
            channel.writeAndFlush(line, promise: nil)
            channel.close(promise: nil)
        }
    }
}

/// The server-wide budget for bytes of replies decided but not yet in a socket (`bufferedBytesMax`). The sweeper
/// adds up what every connection holds and sets `isExhausted`; while it is, a connection that still holds unsent
/// replies takes no new request (`ReplyQueue`), so only the connections that are behind stop.
final class BufferBudget: Sendable {
    private let exhausted = Atomic<Bool>(false)

    var isExhausted: Bool { exhausted.load(ordering: .relaxed) }

    func set(exhausted value: Bool) {
        exhausted.store(value, ordering: .relaxed)
    }
}

/// Sits before the line framer and keeps `ConnectionActivity.lineState` up to date, so that a line whose first
/// byte arrived long ago and that is still not complete (a client sending a byte a second) can be found.
final class PartialLineTracker: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let activity: ConnectionActivity
    private let newline = UInt8(ascii: "\n")

    init(_ activity: ConnectionActivity) {
        self.activity = activity
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let view = buffer.readableBytesView
        if let last = view.last {
            let state = activity.lineState.load(ordering: .relaxed)
            let midLine = state & 1 == 1
            if last == newline {
                if midLine { activity.lineState.store(state + 1, ordering: .relaxed) }
            } else if !midLine {
                activity.lineState.store(state + 1, ordering: .relaxed)
            } else if view.contains(newline) {
                // The unfinished line ended here and another one began: a new line, a new start.
                activity.lineState.store(state + 2, ordering: .relaxed)
            }
        }
        context.fireChannelRead(data)
    }
}
