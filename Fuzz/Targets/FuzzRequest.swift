// libFuzzer target: the request decoder (SlotWire: JSON parse, then the op's fields). Bytes of one line in; a
// request or a `DecodeFailure` out, never a crash. Decoding the same line twice gives the same answer (the error
// named must not depend on hash order).
import SlotWire

private let decoder = RequestDecoder()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequest(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let line = Array(UnsafeBufferPointer(start: data, count: count))
    let first = decoder.decode(line)
    let second = decoder.decode(line)
    switch (first, second) {
    case (.success(let one), .success(let two)):
        precondition(String(describing: one) == String(describing: two), "two decodings of one line differ")
    case (.failure(let one), .failure(let two)):
        precondition(one.error == two.error, "two decodings of one line fail differently: \(one.error), \(two.error)")
    default:
        fatalError("one line decoded once and failed once")
    }
    return 0
}
