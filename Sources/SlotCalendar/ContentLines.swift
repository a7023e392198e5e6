/// One unfolded content line: `NAME;PARAM=VALUE,VALUE:value` (RFC 5545 section 3.1).
struct ContentLine: Hashable, Sendable {
    /// Upper-cased, as names are case-insensitive.
    var name: String
    var parameters: [Parameter]
    var value: String
    /// The physical line it starts on, counted from 1.
    var lineNumber: Int

    struct Parameter: Hashable, Sendable {
        /// Upper-cased.
        var name: String
        /// Unquoted.
        var values: [String]
    }

    /// The first value of parameter `name` (upper-case), if present.
    func parameter(_ name: String) -> String? {
        parameters.first { $0.name == name }?.values.first
    }
}

/// A component and what it holds, after BEGIN/END pairing.
struct Component: Hashable, Sendable {
    /// Upper-cased (`VCALENDAR`, `VEVENT`, ...).
    var name: String
    var properties: [ContentLine] = []
    var children: [Component] = []

    func first(_ property: String) -> ContentLine? { properties.first { $0.name == property } }
    func all(_ property: String) -> [ContentLine] { properties.filter { $0.name == property } }
}

/// Splits calendar text into its component tree, within the limits. Lines end in CRLF or a bare LF (many servers
/// send LF); a line starting with a space or a tab continues the previous one.
enum ContentReader {
    static func components(in text: String, limits: ICalendarLimits) -> Result<[Component], ICalendarError> {
        let bytes = Array(text.utf8)
        guard bytes.count <= limits.documentBytesMax else {
            return .failure(.tooLarge(bytes: bytes.count, limit: limits.documentBytesMax))
        }
        var builder = TreeBuilder(limits: limits)
        var logical: [UInt8] = []
        var logicalLine = 0
        var physicalLine = 0
        var index = 0
        while index <= bytes.count {
            let end = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            physicalLine += 1
            var lineEnd = end
            if lineEnd > index, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            let line = bytes[index..<lineEnd]
            if let first = line.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t"), !logical.isEmpty {
                logical.append(contentsOf: line.dropFirst())
            } else {
                if !logical.isEmpty, let error = builder.add(logical, lineNumber: logicalLine) {
                    return .failure(error)
                }
                logical = Array(line)
                logicalLine = physicalLine
            }
            guard logical.count <= limits.contentLineBytesMax else {
                return .failure(.lineTooLong(line: physicalLine, limit: limits.contentLineBytesMax))
            }
            index = end + 1
        }
        if !logical.isEmpty, let error = builder.add(logical, lineNumber: logicalLine) { return .failure(error) }
        return builder.finish(lastLine: physicalLine)
    }

    /// Parses `NAME *(";" param) ":" value`; nil when the line does not have that shape.
    static func parse(_ line: [UInt8], lineNumber: Int, parametersMax: Int) -> Result<ContentLine, ICalendarError> {
        var index = 0
        func isNameByte(_ byte: UInt8) -> Bool {
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == UInt8(ascii: "-")
        }
        func name() -> String? {
            let start = index
            while index < line.count, isNameByte(line[index]) { index += 1 }
            return index > start ? String(decoding: line[start..<index], as: UTF8.self).uppercased() : nil
        }
        guard let propertyName = name() else { return .failure(.malformedLine(line: lineNumber)) }
        var parameters: [ContentLine.Parameter] = []
        while index < line.count, line[index] == UInt8(ascii: ";") {
            index += 1
            guard parameters.count < parametersMax else {
                return .failure(.tooManyParameters(line: lineNumber, limit: parametersMax))
            }
            guard let parameterName = name(), index < line.count, line[index] == UInt8(ascii: "=") else {
                return .failure(.malformedLine(line: lineNumber))
            }
            index += 1
            var values: [String] = []
            while true {
                guard let value = parameterValue(line, &index) else {
                    return .failure(.malformedLine(line: lineNumber))
                }
                values.append(value)
                guard index < line.count, line[index] == UInt8(ascii: ",") else { break }
                index += 1
            }
            parameters.append(ContentLine.Parameter(name: parameterName, values: values))
        }
        guard index < line.count, line[index] == UInt8(ascii: ":") else {
            return .failure(.malformedLine(line: lineNumber))
        }
        let value = String(decoding: line[(index + 1)...], as: UTF8.self)
        return .success(ContentLine(name: propertyName, parameters: parameters, value: value, lineNumber: lineNumber))
    }

    /// A quoted string (no DQUOTE inside) or bare text up to `;`, `:` or `,`.
    private static func parameterValue(_ line: [UInt8], _ index: inout Int) -> String? {
        if index < line.count, line[index] == UInt8(ascii: "\"") {
            guard let close = line[(index + 1)...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
            let value = String(decoding: line[(index + 1)..<close], as: UTF8.self)
            index = close + 1
            return value
        }
        let start = index
        while index < line.count,
            ![UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "\"")]
                .contains(line[index])
        {
            index += 1
        }
        return String(decoding: line[start..<index], as: UTF8.self)
    }
}

/// Pairs BEGIN and END into a tree, counting components, depth and properties against the limits.
private struct TreeBuilder {
    let limits: ICalendarLimits
    var roots: [Component] = []
    var open: [Component] = []
    var componentCount = 0

    init(limits: ICalendarLimits) { self.limits = limits }

    mutating func add(_ bytes: [UInt8], lineNumber: Int) -> ICalendarError? {
        let line: ContentLine
        switch ContentReader.parse(bytes, lineNumber: lineNumber, parametersMax: limits.parametersPerPropertyMax) {
        case .success(let parsed): line = parsed
        case .failure(let error): return error
        }
        switch line.name {
        case "BEGIN":
            componentCount += 1
            guard componentCount <= limits.componentsMax else { return .tooManyComponents(limit: limits.componentsMax) }
            guard open.count < limits.componentDepthMax else {
                return .componentsTooDeep(line: lineNumber, limit: limits.componentDepthMax)
            }
            open.append(Component(name: line.value.uppercased()))
        case "END":
            guard let last = open.popLast(), last.name == line.value.uppercased() else {
                return .unbalancedComponents(line: lineNumber)
            }
            if open.isEmpty { roots.append(last) } else { open[open.count - 1].children.append(last) }
        default:
            guard !open.isEmpty else { return .unbalancedComponents(line: lineNumber) }
            guard open[open.count - 1].properties.count < limits.propertiesPerComponentMax else {
                return .tooManyProperties(line: lineNumber, limit: limits.propertiesPerComponentMax)
            }
            open[open.count - 1].properties.append(line)
        }
        return nil
    }

    func finish(lastLine: Int) -> Result<[Component], ICalendarError> {
        open.isEmpty ? .success(roots) : .failure(.unbalancedComponents(line: lastLine))
    }
}
