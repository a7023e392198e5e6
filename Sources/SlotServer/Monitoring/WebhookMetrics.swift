import Prometheus
import SlotOutbox

/// `slotd_webhook_deliveries_total{result}`, `slotd_webhook_pending` and `slotd_webhook_breaker_open`, fed by the
/// outbox after each attempt (`OutboxObserver`).
final class WebhookMetrics: Sendable {
    private let delivered: Counter
    private let failed: Counter
    private let dead: Counter
    private let pending: Gauge
    private let breakersOpen: Gauge

    init(registry: PrometheusCollectorRegistry) {
        let descriptor = MetricNameDescriptor(
            metricName: "slotd_webhook_deliveries", unitName: "total",
            helpText: "Webhook delivery attempts, by result: delivered, failed (to be retried), dead (given up).")
        delivered = registry.makeCounter(descriptor: descriptor, labels: [("result", "delivered")])
        failed = registry.makeCounter(descriptor: descriptor, labels: [("result", "failed")])
        dead = registry.makeCounter(descriptor: descriptor, labels: [("result", "dead")])
        pending = registry.makeGauge(
            descriptor: .init(
                metricName: "slotd_webhook_pending", unitName: "",
                helpText: "Webhook deliveries waiting for an attempt or a retry."))
        breakersOpen = registry.makeGauge(
            descriptor: .init(
                metricName: "slotd_webhook_breaker_open", unitName: "",
                helpText: "Webhook endpoints whose circuit breaker is open or half-open."))
    }

    var observer: OutboxObserver {
        OutboxObserver(
            attempted: { [delivered, failed, dead] state in
                switch state {
                case .delivered: delivered.increment()
                case .failed: failed.increment()
                case .dead: dead.increment()
                case .pending: break
                }
            },
            gauges: { [pending, breakersOpen] waiting, open in
                pending.set(Int64(waiting))
                breakersOpen.set(Int64(open))
            })
    }
}
