// libFuzzer target: the iCalendar reader (SlotCalendar). Bytes in; busy intervals, skips or a refusal out, never a
// crash, and within the limits: every interval has a positive length, overlaps the window, and they come sorted.
import Foundation
import SlotCalendar
import SlotDomain

private let window = Instant(secondsSinceEpoch: 1_767_225_600)..<Instant(secondsSinceEpoch: 1_830_297_600)
private let zone = TimeZone(identifier: "Europe/Berlin")!
private let limits: ICalendarLimits = {
    var limits = ICalendarLimits()
    // Small enough that one input stays well under libFuzzer's per-input timeout.
    limits.expansionStepsMax = 200_000
    return limits
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCalendar(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    guard
        case .success(let reading) = BusyTimes.busy(
            in: text, window: window, zone: zone, isOwn: { $0.hasPrefix("own") }, limits: limits)
    else { return 0 }
    precondition(reading.busy.count <= limits.busyIntervalsMax, "more intervals than the limit")
    for interval in reading.busy {
        precondition(interval.start < interval.end, "empty interval \(interval)")
        precondition(interval.start < window.upperBound && interval.end > window.lowerBound, "outside \(interval)")
    }
    precondition(zip(reading.busy, reading.busy.dropFirst()).allSatisfy { $0.start <= $1.start }, "not sorted")
    return 0
}
