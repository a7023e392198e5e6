import Foundation
import SlotDomain

/// Decodes one request line. Never throws and never crashes: anything wrong becomes a `WireError` for the reply,
/// with the request's `id` when it could be read.
public struct RequestDecoder: Sendable {
    public let limits: DomainLimits
    /// Configured once here and only read afterwards, so one decoder serves every connection.
    private let decoder: JSONDecoder

    public init(limits: DomainLimits = .standard) {
        self.limits = limits
        let decoder = JSONDecoder()
        decoder.userInfo[Envelope.limitsKey] = limits
        self.decoder = decoder
    }

    public func decode(_ line: some Collection<UInt8>) -> Result<Request, DecodeFailure> {
        let envelope: Envelope
        do {
            envelope = try decoder.decode(Envelope.self, from: Data(line))
        } catch let error as WireError {
            return .failure(DecodeFailure(id: .null, error: error))
        } catch {
            return .failure(DecodeFailure(id: .null, error: WireError(.badJSON, "the line is not valid JSON")))
        }
        return envelope.result.mapError { DecodeFailure(id: envelope.id, error: $0) }
    }
}

public struct DecodeFailure: Error, Sendable {
    public var id: RequestID
    public var error: WireError
}

/// The JSON object as decoded: the id first (so even a bad request's reply carries it), then the operation.
struct Envelope: Decodable {
    static let limitsKey = CodingUserInfoKey(rawValue: "slotd.limits")!
    static let common: Set<String> = ["id", "op"]
    var id: RequestID = .null
    var result: Result<Request, WireError>

    init(from decoder: any Decoder) throws {
        let limits = decoder.userInfo[Envelope.limitsKey] as? DomainLimits ?? .standard
        guard let container = try? decoder.container(keyedBy: FieldKey.self) else {
            throw WireError.invalid("request", "must be a JSON object")
        }
        let idKey = FieldKey(stringValue: "id")
        switch Envelope.readID(container, idKey) {
        case .success(let id): self.id = id
        case .failure(let error):
            result = .failure(error)
            return
        }
        var reader = FieldReader(container: container, limits: limits)
        let id = self.id
        result = Result { () throws(WireError) -> Request in
            let op = try reader.string("op", maxBytes: 64)
            guard let fields = OperationDecoder.fields[op] else {
                throw WireError(.unknownOp, "unknown op '\(op)'", details: ["op": op])
            }
            // Unknown fields first: a typo such as `strat` is named as such, not reported as a missing `start`.
            for key in container.allKeys
            where !fields.contains(key.stringValue) && !Envelope.common.contains(key.stringValue) {
                throw WireError.invalid(key.stringValue, "is not a field of \(op)")
            }
            let operation = try OperationDecoder.decode(op, &reader)
            // For create_resource `tz` is the resource's zone, not a display zone.
            let displayZone = op == "create_resource" ? nil : try reader.requestZone()?.0
            return Request(id: id, operation: operation, displayZone: displayZone)
        }
    }

    static func readID(_ container: KeyedDecodingContainer<FieldKey>, _ key: FieldKey) -> Result<
        RequestID, WireError
    > {
        guard container.contains(key), (try? container.decodeNil(forKey: key)) == false else { return .success(.null) }
        if let value = try? container.decode(Int64.self, forKey: key) { return .success(.integer(value)) }
        if let value = try? container.decode(Double.self, forKey: key) { return .success(.number(value)) }
        if let value = try? container.decode(String.self, forKey: key), value.utf8.count <= 256 {
            return .success(.string(value))
        }
        return .failure(.invalid("id", "must be a number or a string of at most 256 bytes"))
    }
}
