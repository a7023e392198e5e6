import Prometheus
import SlotDomain

/// What the resource actors report: `slotd_booking_transitions_total{from, to}`, `slotd_hold_expirations_total`,
/// `slotd_waitlist_promotions_total`, and the gauges `slotd_resources`, `slotd_active_bookings` and
/// `slotd_active_holds`, kept exact from the same changes rather than by visiting every resource at a scrape.
/// Counted when an actor applies a change, which is before its journal entry is durable (a crash in between takes
/// back the change and not the count); replay at start is not counted, only what it leaves active.
final class BookingMetrics: Sendable {
    /// The `from` label of a booking's creation.
    static let createdLabel = "none"

    /// By `TransitionTally.index`: the counter of that change, nil where the domain makes none.
    private let transitions: [Counter?]
    /// By the same index: what the change does to the active bookings and to the active holds.
    private let activeChange: [(bookings: Int, holds: Int)]
    private let expiredIndex = TransitionTally.index(from: .pendingConfirmation, to: .expired)
    private let expirations: Counter
    private let promotions: Counter
    private let resources: Gauge
    private let activeBookings: Gauge
    private let activeHolds: Gauge

    init(registry: PrometheusCollectorRegistry) {
        var transitions = [Counter?](repeating: nil, count: TransitionTally.indexCount)
        var activeChange = [(bookings: Int, holds: Int)](repeating: (0, 0), count: TransitionTally.indexCount)
        let descriptor = MetricNameDescriptor(
            metricName: "slotd_booking_transitions", unitName: "total",
            helpText: "Booking state changes applied live (from none: a booking created), counted when the resource "
                + "applies them, before the journal commit.")
        for (from, to) in TransitionTally.changes {
            let index = TransitionTally.index(from: from, to: to)
            transitions[index] = registry.makeCounter(
                descriptor: descriptor, labels: [("from", from?.rawValue ?? Self.createdLabel), ("to", to.rawValue)])
            activeChange[index] =
                from == nil ? (1, 1) : (to.isActive ? 0 : -1, from == .pendingConfirmation ? -1 : 0)
        }
        self.transitions = transitions
        self.activeChange = activeChange
        expirations = registry.makeCounter(
            descriptor: .init(
                metricName: "slotd_hold_expirations", unitName: "total",
                helpText: "Holds expired unconfirmed, counted when the resource applies the expiry."))
        promotions = registry.makeCounter(
            descriptor: .init(
                metricName: "slotd_waitlist_promotions", unitName: "total",
                helpText: "Holds given to waiting customers, counted when the resource applies them."))
        resources = registry.makeGauge(
            descriptor: .init(metricName: "slotd_resources", unitName: "", helpText: "Resources."))
        activeBookings = registry.makeGauge(
            descriptor: .init(
                metricName: "slotd_active_bookings", unitName: "",
                helpText: "Bookings holding their time: pending confirmation, confirmed or rescheduled."))
        activeHolds = registry.makeGauge(
            descriptor: .init(
                metricName: "slotd_active_holds", unitName: "", helpText: "Holds pending confirmation."))
    }

    /// A resource's actor has started, with what its schedule holds (replayed or new).
    func resourceStarted(activeBookings bookings: Int, activeHolds holds: Int) {
        resources.increment()
        if bookings != 0 { activeBookings.increment(by: Double(bookings)) }
        if holds != 0 { activeHolds.increment(by: Double(holds)) }
    }

    /// Counts the changes `schedule` applied since the last call, and forgets them there.
    func take(from schedule: inout ResourceSchedule) {
        var bookings = 0
        var holds = 0
        schedule.takeTransitions { index, count in
            guard let counter = transitions[index] else {
                preconditionFailure("a booking change the domain does not make: \(index)")
            }
            counter.increment(by: Int64(count))
            if index == expiredIndex { expirations.increment(by: Int64(count)) }
            bookings += activeChange[index].bookings * Int(count)
            holds += activeChange[index].holds * Int(count)
        }
        if bookings != 0 { activeBookings.increment(by: Double(bookings)) }
        if holds != 0 { activeHolds.increment(by: Double(holds)) }
    }

    func promoted(_ count: Int) {
        promotions.increment(by: Int64(count))
    }
}
