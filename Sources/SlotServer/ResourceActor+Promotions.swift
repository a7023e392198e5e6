import Logging
import SlotDomain
import SlotWire

/// The waiting customers a change gave holds to, in the logs.
extension ResourceActor {
    /// Logs each hold given to a waiting customer (customer names stay out of logs).
    func reportPromotions() {
        for promotion in schedule.takePromotionNotices() {
            logger.notice(
                "waitlist_promoted",
                metadata: [
                    "resource.id": "\(id)", "waitlist.entry": "\(promotion.entry)",
                    "booking.id": "\(promotion.booking)", "booking.start": "\(RFC3339.format(promotion.range.start))",
                    "booking.expires_at": "\(RFC3339.format(promotion.expiresAt))",
                ])
        }
    }
}
