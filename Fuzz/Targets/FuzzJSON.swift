// libFuzzer target: the JSON parser (SlotJSON). Bytes in; a value or a thrown error out, never a crash. A value
// that parses must come back unchanged after writing it out and parsing that again (the writer and the parser
// agree), unless it holds a number too large for a Double (written as null on purpose).
import SlotJSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    guard let value = try? JSONValue.parse(bytes: bytes), allFinite(value) else { return 0 }
    var writer = JSONWriter()
    value.write(to: &writer)
    guard let again = try? JSONValue.parse(bytes: writer.bytes) else {
        fatalError("written JSON does not parse: \(String(decoding: writer.bytes, as: UTF8.self))")
    }
    precondition(again == value, "round trip changed \(value) into \(again)")
    return 0
}

private func allFinite(_ value: JSONValue) -> Bool {
    switch value {
    case .number(let number): number.isFinite
    case .array(let elements): elements.allSatisfy(allFinite)
    case .object(let members): members.values.allSatisfy(allFinite)
    case .null, .bool, .string: true
    }
}
