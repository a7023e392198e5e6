import Foundation
import SlotDomain
import Testing

@testable import SlotCalendarSync

/// The multistatus reader on its own: names matched by namespace, limits, and hostile or broken XML.
@Suite struct MultistatusReaderTests {
    static let limits = XMLLimits(responsesMax: 100, depthMax: 32)

    static func parse(_ text: String, _ limits: XMLLimits = limits) throws -> Multistatus {
        try Multistatus.parse(Array(text.utf8), limits: limits)
    }

    @Test func namesAreMatchedByNamespaceNotByPrefix() throws {
        let text = """
            <?xml version="1.0"?>
            <x:multistatus xmlns:x="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:other="urn:other">
              <x:response><x:href>/cal/a.ics</x:href>
                <x:propstat><x:prop>
                  <x:getetag>"e1"</x:getetag><cal:calendar-data><![CDATA[BEGIN:VCALENDAR]]></cal:calendar-data>
                  <other:getetag>"not-this"</other:getetag>
                </x:prop><x:status>HTTP/1.1 200 OK</x:status></x:propstat>
              </x:response>
              <x:sync-token>token-2</x:sync-token>
            </x:multistatus>
            """
        let multistatus = try Self.parse(text)
        #expect(multistatus.syncToken == "token-2")
        let response = try #require(multistatus.responses.first)
        #expect(response.hrefs == ["/cal/a.ics"])
        #expect(response.property(DAVName.getetag)?.trimmedText == #""e1""#)
        #expect(response.property(DAVName.calendarData)?.text == "BEGIN:VCALENDAR")
        #expect(response.property(DAVName(DAVName.dav, "calendar-data")) == nil)
    }

    @Test func aPropertyInAFailedPropstatIsNotFound() throws {
        let text = """
            <multistatus xmlns="DAV:"><response><href>/c/</href>
            <propstat><prop><getetag>"x"</getetag></prop><status>HTTP/1.1 404 Not Found</status></propstat>
            </response></multistatus>
            """
        let response = try #require(try Self.parse(text).responses.first)
        #expect(response.property(DAVName.getetag) == nil)
    }

    @Test func anotherRootIsMalformed() {
        let error = #expect(throws: CalDAVError.self) {
            try Self.parse(#"<multistatus xmlns="urn:not-dav"><response/></multistatus>"#)
        }
        #expect(error?.code == .malformedResponse)
    }

    @Test func aDocumentTypeIsRefusedBeforeParsing() {
        let laughs = """
            <?xml version="1.0"?>
            <!-- a comment first -->
            <!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
            <multistatus xmlns="DAV:"><sync-token>&b;</sync-token></multistatus>
            """
        let error = #expect(throws: CalDAVError.self) { try Self.parse(laughs) }
        #expect(error?.code == .malformedResponse)
        #expect(error?.message.contains("document type") == true)
    }

    @Test func nestingDeeperThanTheLimitIsMalformed() throws {
        let deep = String(repeating: "<a>", count: 40) + String(repeating: "</a>", count: 40)
        let text = #"<multistatus xmlns="DAV:"><response>"# + deep + "</response></multistatus>"
        let error = #expect(throws: CalDAVError.self) { try Self.parse(text) }
        #expect(error?.code == .malformedResponse)
        #expect(try Self.parse(text, XMLLimits(responsesMax: 100, depthMax: 50)).responses.count == 1)
    }

    @Test func moreResponsesThanTheLimitIsTooLarge() throws {
        let text =
            #"<multistatus xmlns="DAV:">"# + String(repeating: "<response><href>/x</href></response>", count: 5)
            + "</multistatus>"
        #expect(try Self.parse(text, XMLLimits(responsesMax: 5, depthMax: 8)).responses.count == 5)
        let error = #expect(throws: CalDAVError.self) { try Self.parse(text, XMLLimits(responsesMax: 4, depthMax: 8)) }
        #expect(error?.code == .tooLarge)
    }

    /// Every prefix of a valid answer, and seeded random byte flips in it, end in a value or a `CalDAVError`. Seed 2
    /// makes an element name that is not UTF-8, which crashed FoundationXML before the reader refused such bodies.
    @Test(arguments: [1, 2, 3]) func brokenAnswersNeverCrash(seed: UInt64) {
        let valid = Array(
            """
            <?xml version="1.0" encoding="utf-8"?><multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
            <response><href>/c/a.ics</href><propstat><prop><getetag>"1"</getetag><C:calendar-data>BEGIN:VCALENDAR
            END:VCALENDAR</C:calendar-data></prop><status>HTTP/1.1 200 OK</status></propstat></response>
            <response><href>/c/b.ics</href><status>HTTP/1.1 404 Not Found</status></response>
            <sync-token>t</sync-token></multistatus>
            """.utf8)
        var generator = SplitMix64(seed: seed)
        var inputs = (0..<valid.count).map { Array(valid.prefix($0)) }
        for _ in 0..<300 {
            var bytes = valid
            for _ in 0..<Int(generator.next() % 4 + 1) {
                bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
            }
            inputs.append(bytes)
        }
        for input in inputs {
            do {
                _ = try Multistatus.parse(input, limits: Self.limits)
            } catch let error as CalDAVError {
                #expect(error.code == .malformedResponse)
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func anErrorBodyNamesItsPrecondition() {
        let body = Array(#"<?xml version="1.0"?><D:error xmlns:D="DAV:"><D:valid-sync-token/></D:error>"#.utf8)
        #expect(ErrorBody.preconditions(in: body, limits: Self.limits) == [DAVName.validSyncToken])
        #expect(ErrorBody.preconditions(in: Array("not xml".utf8), limits: Self.limits).isEmpty)
    }
}

/// A small seeded generator, so that a failing case is reproduced from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
