import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

extension Multistatus {
    /// A 207 body, read within `limits`.
    static func parse(_ bytes: [UInt8], limits: XMLLimits) throws -> Multistatus {
        let reader = try MultistatusReader.read(bytes, limits: limits)
        guard reader.root == DAVName.multistatus else {
            throw CalDAVError(.malformedResponse, "the answer's root element is not DAV:multistatus")
        }
        return reader.result
    }
}

/// RFC 4918 §16: a `DAV:error` body names the precondition that failed as a child of the root.
enum ErrorBody {
    static func preconditions(in bytes: [UInt8], limits: XMLLimits) -> Set<DAVName> {
        guard let reader = try? MultistatusReader.read(bytes, limits: limits), reader.root == DAVName.error else {
            return []
        }
        return reader.rootChildren
    }
}

/// Foundation's streaming (SAX) parser with namespace processing, fed a body already bounded in bytes. It keeps
/// only what CalDAV answers carry, counts responses and nesting depth as it goes, and stops at the first limit.
/// Document type declarations are refused before parsing: CalDAV never sends one, and entity definitions are how
/// a small body expands into a huge one. So is a body that is not UTF-8: FoundationXML traps (a crash, not an
/// error) when libxml2 hands it an element name that is not valid UTF-8; MultistatusReaderTests' seeded test found one.
final class MultistatusReader: NSObject, XMLParserDelegate {
    let limits: XMLLimits
    private(set) var root: DAVName?
    private(set) var rootChildren: Set<DAVName> = []
    private(set) var result = Multistatus()
    private(set) var failure: CalDAVError?
    private var stack: [DAVName] = []
    private var response: DAVResponse?
    private var propstat: DAVPropstat?
    /// The property being read, and the depth of its element.
    private var property: (name: DAVName, value: DAVProperty, depth: Int)?
    private var text = ""

    init(limits: XMLLimits) {
        self.limits = limits
    }

    static func read(_ bytes: [UInt8], limits: XMLLimits) throws -> MultistatusReader {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw CalDAVError(.malformedResponse, "the answer is not UTF-8 text")
        }
        guard !declaresDocumentType(bytes) else {
            throw CalDAVError(.malformedResponse, "the answer declares a document type")
        }
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        let reader = MultistatusReader(limits: limits)
        parser.delegate = reader
        let parsed = parser.parse()
        if let failure = reader.failure { throw failure }
        guard parsed, reader.root != nil else {
            throw CalDAVError(.malformedResponse, "the answer is not well-formed XML (line \(parser.lineNumber))")
        }
        return reader
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        let element = DAVName(namespaceURI ?? "", elementName)
        let parent = stack.last
        stack.append(element)
        text = ""
        guard stack.count <= limits.depthMax else {
            return fail(parser, CalDAVError(.malformedResponse, "XML nested deeper than \(limits.depthMax)"))
        }
        if stack.count == 1 { root = element }
        if stack.count == 2 { rootChildren.insert(element) }
        if property != nil {
            property?.value.descendants.insert(element)
        } else if propstat != nil, parent == DAVName.prop {
            property = (element, DAVProperty(), stack.count)
        } else if element == DAVName.response, parent == DAVName.multistatus, stack.count == 2 {
            guard result.responses.count < limits.responsesMax else {
                return fail(parser, CalDAVError(.tooLarge, "multistatus over \(limits.responsesMax) responses"))
            }
            response = DAVResponse()
        } else if element == DAVName.propstat, parent == DAVName.response, response != nil {
            propstat = DAVPropstat()
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, foundCDATA block: Data) {
        text += String(decoding: block, as: UTF8.self)
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
    ) {
        guard let element = stack.popLast() else { return }
        defer { text = "" }
        if let current = property {
            guard stack.count + 1 == current.depth else { return }
            var value = current.value
            if value.descendants.isEmpty { value.text = text }
            propstat?.properties[current.name] = value
            property = nil
            return
        }
        switch (stack.last, element) {
        case (DAVName.response, DAVName.href): response?.hrefs.append(text.trimmingWhitespace())
        case (DAVName.response, DAVName.status): response?.status = text.httpStatusCode
        case (DAVName.propstat, DAVName.status): propstat?.status = text.httpStatusCode
        case (DAVName.response, DAVName.propstat):
            if let propstat { response?.propstats.append(propstat) }
            propstat = nil
        case (DAVName.multistatus, DAVName.response):
            if let response { result.responses.append(response) }
            response = nil
        case (DAVName.multistatus, DAVName.syncToken): result.syncToken = text.trimmingWhitespace()
        default: break
        }
    }

    private func fail(_ parser: XMLParser, _ error: CalDAVError) {
        guard failure == nil else { return }
        failure = error
        parser.abortParsing()
    }

    /// Whether the prolog (before the root element) holds `<!DOCTYPE`. Only the prolog can: later, `<!` starts a
    /// comment or CDATA.
    static func declaresDocumentType(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func starts(_ text: String) -> Bool { bytes[index...].starts(with: text.utf8) }
        func skip(past end: String) {
            while index < bytes.count, !starts(end) { index += 1 }
            index = min(bytes.count, index + end.utf8.count)
        }
        if starts("\u{FEFF}") { index += 3 }
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"): index += 1
            case UInt8(ascii: "<") where starts("<?"): skip(past: "?>")
            case UInt8(ascii: "<") where starts("<!--"): skip(past: "-->")
            default: return starts("<!")
            }
        }
        return false
    }
}
