import Foundation
import SlotDomain

/// Decodes one request line. Never throws and never crashes: anything wrong becomes a `WireError` for the reply,
/// with the request's `id` when it could be read.
public struct RequestDecoder: Sendable {
    public let limits: DomainLimits

    public init(limits: DomainLimits = .standard) {
        self.limits = limits
    }

    public func decode(_ line: some Collection<UInt8>, scope: RequestScope = .anonymous)
        -> Result<Request, DecodeFailure>
    {
        decode(Array(line), scope: scope)
    }

    /// The concrete form: a generic parser called across modules runs unspecialized, and its metadata lookups
    /// showed in the profile.
    public func decode(_ line: [UInt8], scope: RequestScope = .anonymous) -> Result<Request, DecodeFailure> {
        let parsed: JSONValue
        do { parsed = try JSONValue.parse(bytes: line) } catch let repeated as JSONRepeatedMember {
            return .failure(DecodeFailure(id: .null, error: .invalid(repeated.name, "appears more than once")))
        } catch let deep as JSONNestingTooDeep {
            let error = WireError(
                .badJSON,
                "the line is nested too deeply: at most \(deep.depthMax) arrays and objects inside one another",
                details: ["limit": String(deep.depthMax)])
            return .failure(DecodeFailure(id: .null, error: error))
        } catch {
            return .failure(DecodeFailure(id: .null, error: WireError(.badJSON, "the line is not valid JSON")))
        }
        guard case .object(let fields) = parsed else {
            return .failure(DecodeFailure(id: .null, error: .invalid("request", "must be a JSON object")))
        }
        let id: RequestID
        switch Self.readID(fields["id"]) {
        case .success(let value): id = value
        case .failure(let error): return .failure(DecodeFailure(id: .null, error: error))
        }
        let trace: TraceParent?
        switch Self.readTrace(fields["trace"]) {
        case .success(let value): trace = value
        case .failure(let error): return .failure(DecodeFailure(id: id, error: error))
        }
        return decode(object: fields, id: id, scope: scope, batchTenant: nil)
            .map { request in
                var request = request
                request.trace = trace
                return request
            }
            .mapError { DecodeFailure(id: id, error: $0, trace: trace) }
    }

    /// Decodes one request object (a line's, or one op of a `batch`); its `id` is the caller's to read. A batch's
    /// ops are read in the batch's tenant (`batchTenant`) and may not name one of their own.
    func decode(
        object fields: [String: JSONValue], id: RequestID = .null, scope: RequestScope,
        batchTenant: TenantID??
    ) -> Result<Request, WireError> {
        return Result { () throws(WireError) -> Request in
            let tenant: TenantID?
            if let batchTenant {
                guard fields["tenant"] == nil else { throw .invalid("tenant", "goes on the batch, not on its ops") }
                guard fields["trace"] == nil else { throw .invalid("trace", "goes on the batch, not on its ops") }
                tenant = batchTenant
            } else {
                tenant = try Self.tenant(fields["tenant"], scope: scope)
            }
            var reader = FieldReader(fields: fields, limits: limits, scope: scope, tenant: tenant)
            let op = try reader.string("op", maxBytes: 64)
            guard let accepted = OperationDecoder.fields[op] else {
                throw WireError(.unknownOp, "unknown op '\(op)'", details: ["op": op])
            }
            // Unknown fields first: a typo such as `strat` is named as such, not reported as a missing `start`.
            // The alphabetically first unknown field, so the reply does not depend on hash order.
            var unknown: String?
            for key in fields.keys where !accepted.contains(key) && !Self.common.contains(key) {
                if unknown.map({ key < $0 }) ?? true { unknown = key }
            }
            if let unknown { throw WireError.invalid(unknown, "is not a field of \(op)") }
            let operation = try OperationDecoder.decode(op, &reader)
            try reader.checkFold()
            // For create_resource `tz` is the resource's zone, not a display zone.
            let displayZone = op == "create_resource" ? nil : try reader.requestZone()?.0
            return Request(id: id, operation: operation, displayZone: displayZone)
        }
    }

    static let common: Set<String> = ["id", "op", "tenant", "trace"]

    /// The tenant a request's ids are read in: the token's, or, for a token that may act in any tenant, the one
    /// the request names (none when it names none).
    static func tenant(_ value: JSONValue?, scope: RequestScope) throws(WireError) -> TenantID? {
        guard let value, value != .null else { return scope.tenant }
        guard case .string(let text) = value, let named = TenantID(text) else {
            throw .invalid(
                "tenant", "must be 1 to \(DomainLimits.standard.tenantIDMaxLength) characters from [A-Za-z0-9._-]")
        }
        if named == scope.tenant { return named }
        guard scope.mayNameTenant else {
            throw WireError(
                .forbidden, "this token acts only in its own tenant; leave tenant out", details: ["field": "tenant"])
        }
        return named
    }

    /// The request's `trace`: absent or null for none, else a valid traceparent. A malformed one is refused rather
    /// than dropped: a client that sends one expects to find its request under it, in slotd's log and its tracer.
    static func readTrace(_ value: JSONValue?) -> Result<TraceParent?, WireError> {
        switch value {
        case nil, .null?: return .success(nil)
        case .string(let text)?:
            guard let trace = TraceParent(text) else { return .failure(.invalid("trace", TraceParent.format)) }
            return .success(trace)
        default: return .failure(.invalid("trace", TraceParent.format))
        }
    }

    /// The request's `id`, echoed back: a number (whole numbers stay exact), a string of at most 256 bytes, or null.
    static func readID(_ value: JSONValue?) -> Result<RequestID, WireError> {
        switch value {
        case nil, .null?: return .success(.null)
        case .number(let number)?:
            if number == number.rounded(), abs(number) < 9.2e18 { return .success(.integer(Int64(number))) }
            guard number.isFinite else { return .failure(.invalid("id", "must be a finite number")) }
            return .success(.number(number))
        case .string(let text)? where text.utf8.count <= 256: return .success(.string(text))
        default: return .failure(.invalid("id", "must be a number or a string of at most 256 bytes"))
        }
    }
}

public struct DecodeFailure: Error, Sendable {
    public var id: RequestID
    public var error: WireError
    /// The request's `trace` when it was read before the problem was found: the refusal echoes it too.
    public var trace: TraceParent?

    public init(id: RequestID, error: WireError, trace: TraceParent? = nil) {
        self.id = id
        self.error = error
        self.trace = trace
    }
}
