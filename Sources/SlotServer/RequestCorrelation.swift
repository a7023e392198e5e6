import Logging
import SlotWire
import Tracing

/// What names a request in the lines logged about it and in its span: the server's `request.id` (the
/// connection's number, then the line's), the client's own `id` and its `trace`. A plain value, turned into
/// metadata only when a line is logged: a served request is logged only at debug, and building metadata for
/// every request is a cost even when nothing is logged (decision 0012).
struct RequestIdentity: Sendable {
    let connectionID: UInt64
    let line: UInt64
    var clientID = RequestID.null
    var trace: TraceParent?

    var requestID: String { "\(connectionID).\(line)" }

    /// The client's `id` as its reply shows it; nil when it sent none.
    var clientIDText: String? {
        switch clientID {
        case .null: nil
        case .integer(let value): String(value)
        case .number(let value): String(value)
        case .string(let value): value
        }
    }

    /// `request.id`, `client.id` (when the client gave one) and `trace` (when it gave one).
    func add(to metadata: inout Logger.Metadata) {
        metadata["request.id"] = .string(requestID)
        if let client = clientIDText { metadata["client.id"] = .string(client) }
        if let trace { metadata["trace"] = .string(trace.text) }
    }
}

/// What is left to do about a request once its reply is written, besides the metrics: end its span, and (with
/// `--log-requests`) log the mutation it served with its duration, both measured like
/// `slotd_request_duration_seconds`. Built only when tracing or `--log-requests` is on; otherwise the reply
/// carries nil and the writer does nothing more.
struct ReplyFollowUp: Sendable {
    var span: (any Span)?
    /// The `request served` line's metadata, without its duration.
    var served: Logger.Metadata?

    func finish(code: String?, nanoseconds: UInt64, logger: Logger) {
        if let span {
            span.attributes["code"] = code ?? "ok"
            if code == WireCode.internal.rawValue { span.setStatus(SpanStatus(code: .error)) }
            span.end()
        }
        if var served {
            served["duration.ms"] = .string(Self.milliseconds(nanoseconds))
            logger.info("request served", metadata: served)
        }
    }

    /// `nanoseconds` as milliseconds with three decimals: `1.234`.
    static func milliseconds(_ nanoseconds: UInt64) -> String {
        let microseconds = nanoseconds / 1_000
        let fraction = String(microseconds % 1_000)
        return "\(microseconds / 1_000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}

/// Reads a request's `traceparent` for the tracer's propagator, which makes it the parent of the request's span.
private struct TraceParentExtractor: Extractor {
    func extract(key: String, from carrier: TraceParent) -> String? {
        key == "traceparent" ? carrier.text : nil
    }
}

extension ConnectionHandler {
    /// Logs a decoded request's refusal at info, with the error's details and the request's context. The metadata
    /// is built only when it will be logged: a flash sale rejects most requests, and building it for each is a
    /// measurable share of the server's CPU even when nothing is logged (decision 0012).
    func logRejection(
        _ error: WireError, of request: Request, identity: RequestIdentity, logger: Logger
    ) {
        guard logger.logLevel <= .info else { return }
        var metadata: Logger.Metadata = [:]
        metadata.reserveCapacity(10 + error.details.count + error.instantDetails.count)
        metadata["op"] = .string(request.operation.name)
        metadata["error.code"] = .string(error.code)
        identity.add(to: &metadata)
        for (key, value) in error.details { metadata["error." + key] = .string(value) }
        for (key, value) in error.instantDetails {
            metadata["error." + key] = .string(RFC3339.format(value))
        }
        request.operation.logContext(into: &metadata)
        logger.info("request rejected", metadata: metadata)
    }

    /// Logs a request served. A mutation is logged at info once its reply is written, with its duration, when the
    /// operator asks for it (`--log-requests`): the line is returned, to be finished by the writer. Any other
    /// request served is logged only at debug, now.
    func logServed(_ request: Request, identity: RequestIdentity, logger: Logger) -> ReplyFollowUp? {
        if configuration.logsRequests, request.operation.journalEntriesMax > 0, logger.logLevel <= .info {
            var metadata: Logger.Metadata = ["op": .string(request.operation.name)]
            identity.add(to: &metadata)
            request.operation.logContext(into: &metadata)
            return ReplyFollowUp(served: metadata)
        }
        if logger.logLevel <= .debug {
            var metadata: Logger.Metadata = ["op": .string(request.operation.name)]
            identity.add(to: &metadata)
            logger.debug("request served", metadata: metadata)
        }
        return nil
    }

    /// A span named `op` for a request, started at `startedAt` (when its handling began: the op is known only once
    /// it is decoded), child of the client's span when the request carries a `trace`, with the request's identity
    /// and what `Operation.logContext` says it is about (resource, booking…) as attributes.
    func startSpan(
        _ tracer: any Tracer, op: String, at startedAt: DefaultTracerClock.Instant, identity: RequestIdentity,
        context: Logger.Metadata
    ) -> any Span {
        var parent = ServiceContext.topLevel
        if let trace = identity.trace {
            tracer.extract(trace, into: &parent, using: TraceParentExtractor())
        }
        let span = tracer.startSpan(op, context: parent, ofKind: .server, at: startedAt)
        var attributes = SpanAttributes()
        attributes["op"] = op
        attributes["request.id"] = identity.requestID
        if let client = identity.clientIDText { attributes["client.id"] = client }
        for (key, value) in context { attributes[key] = value.description }
        span.attributes = attributes
        return span
    }
}
