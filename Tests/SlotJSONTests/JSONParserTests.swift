import Foundation
import Testing

@testable import SlotJSON

/// The hand-written parser must agree with Foundation's decoder (the oracle) on what it accepts and what it
/// builds.
@Suite struct JSONParserTests {
    static let documents = [
        #"{"id":1,"ok":true,"booking":{"id":"r/1","start":"2027-01-05T10:00:00Z","history":[{"from":null,"to":"confirmed"}]}}"#,
        #"[1, -2.5, 3e2, 0, -0.0, 1E-3, true, false, null, "x"]"#,
        #"{"s":"esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00 é"}"#,
        #"  {"nested":[[[]],{}], "empty":""}  "#,
        #""just a string""#,
        #"[-0, 0, 7, -12, 123456789012345, 1234567890123456789, 100000, 2.50, -1e-2]"#,
        #"{"a long key with more than fifteen bytes":"and a long value, ünïcödé too","k":"short"}"#,
    ]

    static let invalid = [
        "", "{", "01", "1.", ".5", "+1", "-", "tru", "nul", "\"unterminated", "{\"a\" 1}",
        "[1 2]", "\"bad \\x escape\"", "\"\\ud800 lone surrogate\"", "{} {}", "\"tab\tinside\"", "1e", "NaN",
        "-01", "00", "1-2", "--1", "0x1", "[1,2", "trueish", "nulll",
    ]

    @Test(arguments: documents)
    func agreesWithFoundation(_ text: String) throws {
        let oracle = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(try JSONValue.parse(text) == oracle)
    }

    @Test(arguments: invalid)
    func refusesWhatFoundationRefuses(_ text: String) {
        #expect(throws: (any Error).self) { try JSONValue.parse(text) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }
    }

    /// A `\u` escape is exactly four hex digits (RFC 8259): no sign, no space, no `0x`.
    @Test(arguments: [#""\u+041""#, #""\u-000""#, #""\u 041""#, #""\u0x41""#, #""\u004""#, #""\u00g1""#])
    func refusesUnicodeEscapesThatAreNotFourHexDigits(_ text: String) {
        #expect(throws: (any Error).self) { try JSONValue.parse(text) }
    }

    @Test func readsFourHexDigitsInEitherCase() throws {
        #expect(try JSONValue.parse(#""\u0041\u00e9\u00E9\uD83D\uDE00""#) == .string("Aéé😀"))
    }

    /// Foundation tolerates trailing commas; this parser keeps to RFC 8259.
    @Test(arguments: ["[1,]", "{\"a\":1,}"])
    func refusesTrailingCommasThatFoundationTolerates(_ text: String) {
        #expect(throws: (any Error).self) { try JSONValue.parse(text) }
    }

    /// Strings are made without validation only when every byte is ASCII: any other byte still goes through
    /// UTF-8 validation, with or without escapes in the string.
    @Test(arguments: [[0xFF], [0xC3], [0x61, 0xED, 0xA0, 0x80], [0x5C, 0x6E, 0xFE]] as [[UInt8]])
    func refusesInvalidUTF8InStrings(_ inside: [UInt8]) throws {
        let bytes = Array(#"{"s":""#.utf8) + inside + Array(#""}"#.utf8)
        #expect(throws: (any Error).self) { try JSONValue.parse(bytes: bytes) }
        #expect(try JSONValue.parse(bytes: Array(#"{"s":"é"}"#.utf8))["s"] == "é")
    }

    @Test(arguments: [(#"{"a":1,"a":1}"#, "a"), (#"{"x":[{"b":true,"c":0,"b":false}]}"#, "b")])
    func aRepeatedNameIsRefused(text: String, name: String) {
        #expect { try JSONValue.parse(text) } throws: { ($0 as? JSONRepeatedMember)?.name == name }
    }

    @Test func deepNestingIsRefusedNotCrashed() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONNestingTooDeep(depthMax: 512, offset: 512)) { try JSONValue.parse(deep) }
    }

    /// The limit counts arrays and objects inside one another: 512 of them parse, with a value in the innermost.
    @Test func nestingUpToTheLimitParses() throws {
        func nested(_ levels: Int) -> String {
            (0..<levels).map { $0.isMultiple(of: 2) ? "[" : #"{"k":"# }.joined() + "1"
                + (0..<levels).reversed().map { $0.isMultiple(of: 2) ? "]" : "}" }.joined()
        }
        _ = try JSONValue.parse(nested(512))
        #expect { try JSONValue.parse(nested(513)) } throws: { ($0 as? JSONNestingTooDeep)?.depthMax == 512 }
    }

    @Test func encodingRoundTrips() throws {
        let value: JSONValue = ["op": "hold", "n": 3, "f": 1.5, "list": [true, nil, "é\n"]]
        #expect(try JSONValue.parse(value.jsonText) == value)
    }
}
