import SlotDomain

/// A `batch`: several ops in one line, run in order, all or nothing when `atomic`.
public struct Batch: Sendable {
    public var items: [BatchItem]
    public var atomic: Bool
    /// Only on an atomic batch: the batch is the one mutation the key stands for.
    public var idempotency: IdempotencyStamp?

    public init(items: [BatchItem], atomic: Bool, idempotency: IdempotencyStamp?) {
        self.items = items
        self.atomic = atomic
        self.idempotency = idempotency
    }
}

/// One op of a batch: its own `id` (echoed in its result) and the op decoded, or why it could not be. Only a
/// non-atomic batch holds an op that failed to decode; an atomic one is refused as a whole at once.
public struct BatchItem: Sendable {
    public var id: RequestID?
    public var request: Result<Request, WireError>

    public init(id: RequestID?, request: Result<Request, WireError>) {
        self.id = id
        self.request = request
    }
}

extension OperationDecoder {
    /// Ops that never go in a batch: another batch, the operator's server-wide requests, and the ops about the
    /// connection's event stream or the outbox's webhooks rather than the schedule.
    static let notInBatch: Set<String> = [
        "batch", "snapshot", "stats", "monitor", "auth", "create_token", "list_tokens", "revoke_token",
        "erase_customer", "subscribe", "unsubscribe", "create_webhook", "list_webhooks", "get_webhook",
        "delete_webhook", "list_deliveries", "redeliver",
    ]
    /// Ops that go in a batch only when it is not atomic: a resource created inside an atomic batch would have to
    /// exist for the batch's later ops before the batch is decided.
    static let notInAtomicBatch: Set<String> = ["create_resource"]
    /// The reads: their replies are not kept under a key, so a keyed (atomic) batch holds none.
    static let reads: Set<String> = [
        "ping", "get_resource", "list_resources", "get_booking", "list_bookings", "availability", "get_rules",
        "waitlist_status", "get_group",
    ]

    static func batch(_ reader: inout FieldReader) throws(WireError) -> Operation {
        guard case .bool(let atomic)? = reader.value("atomic") else {
            throw .invalid("atomic", "is required: true (all or nothing) or false (each op on its own)")
        }
        guard case .array(let ops)? = reader.value("ops") else {
            throw .invalid("ops", "is required and must be an array of requests")
        }
        let opsMax = reader.limits.batchOperationsMax
        guard (1...opsMax).contains(ops.count) else {
            throw WireError(
                Rejection(
                    .invalidRequest, "ops must hold 1 to \(opsMax) requests (it holds \(ops.count))",
                    details: ["field": "ops", "limit": String(opsMax)]))
        }
        let keyed = reader.has("idempotency_key")
        if keyed, !atomic {
            throw .invalid(
                "idempotency_key", "needs atomic: true; in a batch that is not atomic, give each op its own key")
        }
        let decoder = RequestDecoder(limits: reader.limits)
        var items: [BatchItem] = []
        for (index, op) in ops.enumerated() {
            let item = decodeItem(
                op, index: index, atomic: atomic, keyed: keyed, decoder: decoder, scope: reader.scope,
                tenant: reader.tenant)
            if atomic, case .failure(let cause) = item.request {
                throw .batchRefused(index: index, op: opName(op), cause: cause)
            }
            items.append(item)
        }
        let stamp = try reader.idempotency(
            fingerprint: ["batch", atomic ? "atomic" : "independent", FNV128.hex(JSONValue.array(ops).jsonText)]
                .joined(separator: "\u{1F}"))
        return .batch(Batch(items: items, atomic: atomic, idempotency: stamp))
    }

    private static func opName(_ op: JSONValue) -> String {
        if case .object(let fields) = op, case .string(let name)? = fields["op"] { return name }
        return "?"
    }

    private static func decodeItem(
        _ op: JSONValue, index: Int, atomic: Bool, keyed: Bool, decoder: RequestDecoder, scope: RequestScope,
        tenant: TenantID?
    ) -> BatchItem {
        guard case .object(let fields) = op else {
            return BatchItem(id: nil, request: .failure(.invalid("ops[\(index)]", "must be a request object")))
        }
        let id: RequestID?
        switch RequestDecoder.readID(fields["id"]) {
        case .success(let value): id = fields["id"] == nil ? nil : value
        case .failure(let error): return BatchItem(id: nil, request: .failure(error))
        }
        let name = opName(op)
        let refusal: WireError? =
            if notInBatch.contains(name) {
                .invalid("op", "\(name) cannot be part of a batch")
            } else if atomic, notInAtomicBatch.contains(name) {
                .invalid(
                    "op", "\(name) cannot be part of an atomic batch; send it first, or in a batch that is not atomic")
            } else if atomic, fields["idempotency_key"] != nil {
                .invalid("idempotency_key", "goes on the atomic batch, not on its ops")
            } else if keyed, reads.contains(name) {
                .invalid("op", "\(name) is a read; a batch with an idempotency_key holds only changes")
            } else {
                nil
            }
        if let refusal { return BatchItem(id: id, request: .failure(refusal)) }
        return BatchItem(
            id: id, request: decoder.decode(object: fields, scope: scope, batchTenant: .some(tenant)))
    }
}

/// FNV-1a, 128 bits: a batch's fingerprint is the hash of its ops, so a key kept for a batch of up to
/// `batchOperationsMax` ops costs as little as any other key. Not a cryptographic hash: a client able to build a
/// colliding batch could only replay the reply kept under its own key.
enum FNV128 {
    static func hex(_ text: String) -> String {
        var hash: UInt128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d
        let prime: UInt128 = 0x0000_0000_0100_0000_0000_0000_0000_013b
        for byte in text.utf8 {
            hash ^= UInt128(byte)
            hash &*= prime
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 32 - digits.count) + digits
    }
}
