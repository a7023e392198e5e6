// libFuzzer target: the request decoder (SlotWire: JSON parse, then the op's fields). Bytes of one line in; a
// request or a `DecodeFailure` out, never a crash. Decoding the same line twice gives the same answer: the same
// error (the field named must not depend on hash order), or the same idempotency stamp (a fingerprint is
// stored and compared with a retry's, so it may not depend on the order a set or dictionary happens to iterate
// in, which in Swift differs from one instance to the next).
import SlotDomain
import SlotWire

private let decoder = RequestDecoder()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequest(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let line = Array(UnsafeBufferPointer(start: data, count: count))
    switch (decoder.decode(line), decoder.decode(line)) {
    case (.success(let one), .success(let two)):
        precondition(stamp(one.operation) == stamp(two.operation), "two decodings of one line differ")
    case (.failure(let one), .failure(let two)):
        precondition(one.error == two.error, "two decodings of one line fail differently: \(one.error), \(two.error)")
    default:
        fatalError("one line decoded once and failed once")
    }
    return 0
}

private func stamp(_ operation: Operation) -> IdempotencyStamp? {
    switch operation {
    case .createResource(_, _, let idempotency), .transition(_, _, _, let idempotency): idempotency
    case .hold(_, let command), .holdMany(_, let command, _): command.idempotency
    default: nil
    }
}
