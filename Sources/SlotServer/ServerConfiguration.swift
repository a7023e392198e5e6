import Foundation
import SlotAuth
import SlotDomain
import SlotJournal
import SlotOutbox

/// Everything `slotd` can be told, with the documented defaults. docs/OPERATIONS.md lists each one.
public struct ServerConfiguration: Sendable {
    public static let defaultPort = 7420

    /// Address to listen on; loopback by default so a fresh start is not exposed to the network.
    public var host = "127.0.0.1"
    /// Whether connections must authenticate (`auth`) before anything but `ping`: `automatic` requires it unless
    /// `host` is a loopback address, like Redis's protected mode.
    public var auth = AuthMode.automatic
    /// TCP port; 0 picks a free one (the `listening` line on stdout says which).
    public var port = ServerConfiguration.defaultPort
    /// Where the SQLite journal lives (`journal.sqlite`).
    public var dataDirectory = URL(fileURLWithPath: "data")
    /// Where snapshots are written and looked for.
    public var snapshotDirectory = URL(fileURLWithPath: "snapshots")
    /// Longest request line in bytes, newline excluded. A longer line gets `line_too_long` and the connection is
    /// closed after the reply.
    public var lineBytesMax = 65_536
    /// Most client connections at once; one more is told `overloaded` and closed.
    public var connectionsMax = 1_024
    /// Most client connections at once from one IP address; one more from it is told `overloaded` and closed. Keeps
    /// one client from taking the whole `connectionsMax`, while leaving room for a call centre's agents behind one
    /// NAT address (a few hundred) and for `slotload`'s default 64 connections plus its checking connection.
    public var connectionsPerAddressMax = 256
    /// A connection with no request in flight and no reply being written, that sent no request for this long, is
    /// closed with `idle_timeout` (0: never). So is one whose client has taken none of its replies for this long.
    public var idleTimeoutSeconds = 300
    /// A request line must be complete this many seconds after its first byte arrived, or the connection is closed
    /// with `line_timeout` (0: no limit): a client sending a byte a second cannot hold a connection for ever.
    public var lineCompletionSeconds = 10
    /// With TLS on, the certificate and key (and the CA client certificates must chain to); nil: plain TCP.
    public var tls: TLSFiles?
    /// With TLS on, a connection's handshake must be done this many seconds after it was accepted, or the
    /// connection is closed (0: no limit). Before the handshake no line can arrive, so `lineCompletionSeconds`
    /// cannot bound it; a handshake takes one or two round trips.
    public var tlsHandshakeSeconds = 10
    /// Server-wide budget, in bytes, for replies decided but not yet in a socket, over all connections. Once it is
    /// reached, connections still holding unsent replies take no new request (back-pressure) until theirs are out.
    public var bufferedBytesMax = 256 * 1_048_576
    /// How long the budget may stay exhausted before the connections furthest behind (most bytes held, none taken
    /// by their client meanwhile) are closed with `overloaded`, as many as it takes to be back under budget.
    public var overloadGraceSeconds = 10
    /// Most requests one connection may have read but not yet answered. Past this the server stops reading from
    /// that connection until replies have gone out (back-pressure, not an error).
    public var inFlightRequestsPerConnectionMax = 1_024
    /// Most bytes of replies one connection may have decided but not yet handed to its socket. Past this the
    /// server stops reading from that connection, as for the request count: a client that pipelines large
    /// queries and does not read the answers costs the server this much memory, not a thousand replies' worth.
    public var unsentReplyBytesPerConnectionMax = 1_048_576
    /// Longest reply, in bytes, newline included. The reply is checked while it is built: past this the encoder
    /// stops, and the client gets `reply_too_large` with `limit_bytes` instead. The default holds the largest
    /// single-resource `availability` (92 days of 1-minute slots, with `slots_local`: about 6.8 MB).
    public var replyBytesMax = 8 * 1_048_576
    /// On shutdown, how long open connections may take to receive the replies to what they have sent. A client
    /// that stops reading would otherwise hold the shutdown for ever; past this, its connection is closed (its
    /// changes are already durable, only their replies are lost). The journal is flushed and closed either way.
    public var shutdownDrainSeconds = 30
    /// On shutdown, after a connection's last reply, how long the server waits for the client to close its side
    /// (dropping what it still sends) before closing the connection: a close with requests unread in the socket
    /// is a reset, which can destroy replies the client has not read yet. Within `shutdownDrainSeconds`.
    public var shutdownLingerSeconds = 2
    /// Most resources the server will create; one more gets `too_many_resources`.
    public var resourcesMax = 1_000_000
    /// How often expired holds are swept out of memory, in seconds. Expiry itself is exact without it: every
    /// request first expires the holds that are due. On a resource nobody asks about, it bounds how long a
    /// waiting customer waits to be offered an expired hold's time (decision 0019).
    public var expirySweepIntervalSeconds = 5
    /// Take a snapshot every this many minutes (0: never on a timer).
    public var snapshotEveryMinutes = 60
    /// Take a snapshot once this many journal entries were written since the last one (0: never by count).
    public var snapshotEveryEntries = 100_000
    /// Snapshots kept per journal; older ones are deleted. The journal is compacted up to the oldest kept one,
    /// so a damaged newest snapshot can always fall back to the one before it.
    public var snapshotsKept = 2
    /// Start from this snapshot instead of the data folder's own state (the data folder must be empty).
    public var restoreSnapshot: URL?
    public var domainLimits = DomainLimits.standard
    public var journal = Journal.Configuration()
    /// The change stream's limits (`subscribe`, docs/PROTOCOL.md).
    public var events = Events()
    /// Webhook deliveries: retries, breakers, limits, and the sender's (docs/OPERATIONS.md, "Webhooks").
    public var webhooks = Webhooks()
    public var rateLimits = RateLimits()
    /// The HTTP side port: `/health`, `/ready`, `/metrics` (docs/OPERATIONS.md, "Monitoring").
    public var http = HTTP()
    /// `--log-requests`: log each mutation served at info, once its reply is written, with its duration.
    public var logsRequests = false
    /// `--otlp-endpoint`: give each request a span from `InstrumentationSystem.tracer`, which the process has
    /// bootstrapped (once per process, so not here). Off: no span is made at all.
    public var tracesRequests = false

    public init() {}
}

extension ServerConfiguration {
    public static let defaultHTTPPort = 7421

    /// The HTTP side port. One request per connection (every reply closes it), so a connection's limits are a
    /// request's: Prometheus opens a new connection per scrape, which costs nothing at its pace.
    public struct HTTP: Sendable {
        /// Address to listen on; nil: the TCP protocol's `host`.
        public var host: String?
        /// Port; 0 picks a free one (the `listening` line says which); nil: no HTTP port.
        public var port: Int? = ServerConfiguration.defaultHTTPPort
        /// A request must be complete, and its reply written, this many seconds after its connection was accepted,
        /// or the connection is closed: a client that sends a byte a second cannot hold one for ever.
        public var requestSeconds = 10
        /// Most bytes of a request's head (request line and headers). Ours need a few hundred; a bearer token and
        /// the headers of any browser or scraper fit many times over.
        public var headBytesMax = 16_384
        /// Most bytes of a request's body. No endpoint takes one; a longer body gets 413 and the connection closes.
        public var bodyBytesMax = 4_096
        /// Most HTTP connections at once; one more is closed unanswered. Scrapers and probes need a handful.
        public var connectionsMax = 64
        /// Most resources the operator page lists as busiest (`GET /api/overview`'s `busiest`): enough to see where
        /// the load is, few enough that the list is read at a glance.
        public var busiestResourcesMax = 10

        public init() {}
    }

    /// Where the HTTP port listens, if it is on.
    public var httpHost: String { http.host ?? host }
}

/// `--auth`: whether connections must authenticate.
public enum AuthMode: String, Sendable, CaseIterable {
    /// Required unless the server listens on a loopback address only.
    case automatic = "auto"
    case required
    case off
}

extension ServerConfiguration {
    /// Whether `host` reaches only this machine: `localhost`, `::1`, or an IPv4 address in 127.0.0.0/8 (also
    /// written as `::ffff:127.x.y.z`). Any other name counts as exposed, whatever it resolves to.
    public var listensOnLoopbackOnly: Bool {
        if host == "localhost" || host == "::1" { return true }
        let address = host.hasPrefix("::ffff:") ? String(host.dropFirst(7)) : host
        let parts = address.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127"
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && UInt8(part) != nil
            }
    }

    /// Whether a connection must authenticate before anything but `ping` and `auth`.
    public var requiresAuthentication: Bool {
        switch auth {
        case .required: true
        case .off: false
        case .automatic: !listensOnLoopbackOnly
        }
    }
}

extension ServerConfiguration {
    /// Request rates and failed `auth` attempts (docs/OPERATIONS.md, "Rate limits"). A request costs one permit;
    /// a refused one gets `rate_limited` with `retry_after_ms`. Every burst is twice its rate a second by default,
    /// so a client may catch up after a pause of a second.
    public struct RateLimits: Sendable {
        /// Requests per second of one `client` or `reader` token, summed over its connections (nil: no limit). An
        /// application backend behind one token gets a twentieth of what slotd serves on two cores, so one tenant
        /// cannot starve the others.
        public var perToken: BucketRate? = BucketRate.perSecond(5_000)
        /// Tokens of this role and above (`operator`, `admin`: the operator's own tools, which can already change
        /// everything) have no per-token limit; load tests and imports run with them.
        public var unlimitedTokenRolesFrom = Role.operator
        /// Requests per second from one client address (an IPv4 address or an IPv6 /64), authenticated or not (nil:
        /// no limit). High enough for a call centre's few hundred agents behind one NAT address plus a backend at
        /// its token's limit; it stops one machine flooding the server with unauthenticated requests.
        public var perAddress: BucketRate? = BucketRate.perSecond(10_000)
        /// Whether the per-address limit counts clients on the server's own machine: by default it does not, so a
        /// local load test (`slotload`, some 100,000 requests a second from 127.0.0.1) is never throttled.
        public var addressLimitsApplyToLoopback = false
        /// Failed `auth` attempts from one client address: 10 at once, then one every 10 seconds. Past it, `auth`
        /// from the address is refused without looking at the secret. Applies to loopback too.
        public var authFailuresPerAddress = BucketRate(burst: 10, permits: 1, seconds: 10)
        /// Failed `auth` attempts on one connection before the server closes it.
        public var authFailuresPerConnectionMax = 3
        /// Most client addresses (and, separately, tokens and addresses with failed `auth` attempts) whose buckets
        /// are remembered; past it the fullest are forgotten (about 64 bytes each: some 6 MB per table).
        public var trackedKeysMax = 100_000

        public init() {}
    }
}

extension ServerConfiguration {
    /// The change stream (`subscribe`): how much of it is kept in memory, and how far a subscriber may fall behind.
    public struct Events: Sendable {
        /// Newest events kept in memory, so that a subscriber just behind catches up without reading the journal.
        public var recentEventsMax = 4_096
        /// Bytes of event lines queued for one live subscriber and not yet taken by its socket; past it the
        /// subscriber gets `stream.lagged` and its connection closes, so that it never holds up the journal or
        /// anyone else. One commit's events arrive at once, so this must hold a busy commit's (a few hundred bytes
        /// an event, up to `Journal.Configuration.batchEntriesMax` entries) with room to spare.
        public var subscriberBufferedBytesMax = 4 << 20
        /// After `stream.lagged` is queued, how long the client has to read what is left before it and the
        /// notice; then its connection is closed whether it read them or not.
        public var lagGraceSeconds = 10
        /// Events read from the journal at a time while a subscriber catches up (at the pace it reads).
        public var catchUpChunkEventsMax = 512

        public init() {}
    }
}

extension ServerConfiguration {
    /// The outbox's schedule, breakers and limits, and its HTTP sender's.
    public struct Webhooks: Sendable {
        public var outbox = Outbox.Configuration()
        public var sender = WebhookSender.Configuration()

        /// `--allow-private-webhooks`: URLs on loopback or private networks are accepted and sent to.
        public var allowsPrivateURLs: Bool {
            get { outbox.allowsPrivateURLs }
            set {
                outbox.allowsPrivateURLs = newValue
                sender.allowPrivate = newValue
            }
        }

        public init() {}
    }
}
