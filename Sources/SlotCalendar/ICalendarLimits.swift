/// Bounds on the work reading one calendar text may cost. The text comes from a server slotd does not control, so
/// every size and count is capped; a cap reached is an `ICalendarError` (the whole text) or a skipped event (one
/// event), never unbounded work.
public struct ICalendarLimits: Hashable, Sendable {
    /// The whole text, in UTF-8 bytes. A calendar of a few thousand events is well under a megabyte.
    public var documentBytesMax: Int
    /// One content line after unfolding, in UTF-8 bytes (RFC 5545 folds at 75 octets; long descriptions unfold to
    /// a few kilobytes).
    public var contentLineBytesMax: Int
    /// Components of any kind (VCALENDAR, VEVENT, VTIMEZONE, VALARM, ...) in the whole text.
    public var componentsMax: Int
    /// How deep components nest: VCALENDAR > VEVENT > VALARM is 3, VCALENDAR > VTIMEZONE > STANDARD is 3.
    public var componentDepthMax: Int
    /// Properties in one component.
    public var propertiesPerComponentMax: Int
    /// Parameters on one property.
    public var parametersPerPropertyMax: Int
    /// RDATE and EXDATE values of one event, all lines together.
    public var listedDatesPerEventMax: Int
    /// Recurrence periods (days, weeks, months or years) one event's RRULE may step through, from its DTSTART to the
    /// window's end. An event that needs more is skipped with `too_many_occurrences`.
    public var occurrencesPerEventMax: Int
    /// Recurrence periods stepped through for all events of the text together.
    public var expansionStepsMax: Int
    /// Busy intervals in the answer.
    public var busyIntervalsMax: Int
    /// Onsets of one VTIMEZONE up to a year past the window (Outlook's start in 1601: about 430 a year-rule).
    public var timeZoneTransitionsMax: Int

    public init(
        documentBytesMax: Int = 8 * 1_024 * 1_024, contentLineBytesMax: Int = 16 * 1_024, componentsMax: Int = 20_000,
        componentDepthMax: Int = 4, propertiesPerComponentMax: Int = 200, parametersPerPropertyMax: Int = 20,
        listedDatesPerEventMax: Int = 2_000, occurrencesPerEventMax: Int = 50_000, expansionStepsMax: Int = 2_000_000,
        busyIntervalsMax: Int = 100_000, timeZoneTransitionsMax: Int = 5_000
    ) {
        self.documentBytesMax = documentBytesMax
        self.contentLineBytesMax = contentLineBytesMax
        self.componentsMax = componentsMax
        self.componentDepthMax = componentDepthMax
        self.propertiesPerComponentMax = propertiesPerComponentMax
        self.parametersPerPropertyMax = parametersPerPropertyMax
        self.listedDatesPerEventMax = listedDatesPerEventMax
        self.occurrencesPerEventMax = occurrencesPerEventMax
        self.expansionStepsMax = expansionStepsMax
        self.busyIntervalsMax = busyIntervalsMax
        self.timeZoneTransitionsMax = timeZoneTransitionsMax
    }

    public static let standard = ICalendarLimits()
}

/// Why a calendar text was refused whole. Problems confined to one event skip that event instead (`SkippedEvent`).
public enum ICalendarError: Error, Hashable, Sendable {
    /// The text is longer than `documentBytesMax`.
    case tooLarge(bytes: Int, limit: Int)
    /// An unfolded content line is longer than `contentLineBytesMax`; `line` counts from 1 before unfolding.
    case lineTooLong(line: Int, limit: Int)
    /// A line that is not `NAME *(;PARAM=VALUE) : VALUE`.
    case malformedLine(line: Int)
    /// BEGIN and END do not pair up, or a property stands outside every component.
    case unbalancedComponents(line: Int)
    case tooManyComponents(limit: Int)
    case componentsTooDeep(line: Int, limit: Int)
    case tooManyProperties(line: Int, limit: Int)
    case tooManyParameters(line: Int, limit: Int)
    /// All events together needed more than `expansionStepsMax` recurrence steps.
    case expansionTooLarge(limit: Int)
    case tooManyBusyIntervals(limit: Int)

    /// Stable snake_case code, for logs, metrics and replies.
    public var code: String {
        switch self {
        case .tooLarge: "too_large"
        case .lineTooLong: "line_too_long"
        case .malformedLine: "malformed_line"
        case .unbalancedComponents: "unbalanced_components"
        case .tooManyComponents: "too_many_components"
        case .componentsTooDeep: "components_too_deep"
        case .tooManyProperties: "too_many_properties"
        case .tooManyParameters: "too_many_parameters"
        case .expansionTooLarge: "expansion_too_large"
        case .tooManyBusyIntervals: "too_many_busy_intervals"
        }
    }
}
