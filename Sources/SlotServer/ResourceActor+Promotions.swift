import Logging
import SlotDomain
import SlotWire

/// The waiting customers a change gave holds to, in the logs; the booking changes applied, in the metrics.
extension ResourceActor {
    /// Logs each hold given to a waiting customer (customer names stay out of logs), and counts the changes
    /// applied since the last report.
    func reportPromotions() {
        reportTransitions()
        let promotions = schedule.takePromotionNotices()
        if !promotions.isEmpty { metrics?.promoted(promotions.count) }
        for promotion in promotions {
            logger.notice(
                "waitlist_promoted",
                metadata: [
                    "resource.id": "\(id)", "waitlist.entry": "\(promotion.entry)",
                    "booking.id": "\(promotion.booking)", "booking.start": "\(RFC3339.format(promotion.range.start))",
                    "booking.expires_at": "\(RFC3339.format(promotion.expiresAt))",
                ])
        }
    }

    /// Adds the booking changes applied since the last call to the metrics. Read before taking: taking mutates the
    /// observed `schedule`, and most calls find nothing.
    func reportTransitions() {
        guard let metrics, !schedule.transitions.isEmpty else { return }
        metrics.take(from: &schedule)
    }
}
