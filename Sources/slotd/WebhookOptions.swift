import ArgumentParser
import SlotOutbox
import SlotServer

/// The webhook flags: the retry schedule, the breaker, the attempt timeout and private addresses. The defaults
/// suit production; tests and operators shorten them to run a whole retry cycle in seconds.
struct WebhookOptions: ParsableArguments {
    @Flag(help: "Accept webhook URLs on loopback and private networks, and send to them (tests, internal receivers).")
    var allowPrivateWebhooks = false

    @Option(help: "Longest wait before a webhook delivery's first retry, in seconds (it doubles per attempt).")
    var webhookRetryFirstSeconds: Int64 = RetrySchedule().firstDelaySeconds

    @Option(help: "Longest wait between two webhook retries, in seconds.")
    var webhookRetryCapSeconds: Int64 = RetrySchedule().capSeconds

    @Option(help: "A webhook delivery still failing this many seconds after its event is given up (dead).")
    var webhookMaxAgeSeconds: Int64 = RetrySchedule().maxAgeSeconds

    @Option(help: "Consecutive failures of one webhook endpoint that open its circuit breaker.")
    var webhookBreakerFailures = Outbox.Configuration().breakerFailuresMax

    @Option(help: "Seconds an open webhook breaker waits before it lets one probe through.")
    var webhookBreakerCooldownSeconds = Outbox.Configuration().breakerCoolDownSeconds

    @Option(help: "Seconds one webhook attempt may take, the receiver's answer included.")
    var webhookTimeoutSeconds = WebhookSender.Configuration().requestTimeoutSeconds

    func validate() throws {
        guard
            RetrySchedule(
                firstDelaySeconds: webhookRetryFirstSeconds, capSeconds: webhookRetryCapSeconds,
                maxAgeSeconds: webhookMaxAgeSeconds) != nil
        else {
            throw ValidationError(
                "--webhook-retry-first-seconds must be at least 1 and at most --webhook-retry-cap-seconds, "
                    + "and --webhook-max-age-seconds must not be negative")
        }
        // Bounded so that no schedule or cool-down arithmetic can overflow: a year is past any sensible setting.
        let yearSeconds: Int64 = 366 * 86_400
        guard webhookRetryCapSeconds <= yearSeconds, webhookMaxAgeSeconds <= yearSeconds,
            webhookBreakerCooldownSeconds <= yearSeconds
        else {
            throw ValidationError(
                "--webhook-retry-cap-seconds, --webhook-max-age-seconds and --webhook-breaker-cooldown-seconds are at "
                    + "most a year (\(yearSeconds))")
        }
        guard webhookBreakerFailures >= 1, webhookBreakerCooldownSeconds >= 1 else {
            throw ValidationError(
                "--webhook-breaker-failures and --webhook-breaker-cooldown-seconds must be at least 1")
        }
        guard webhookTimeoutSeconds >= 1 else { throw ValidationError("--webhook-timeout-seconds must be at least 1") }
    }

    func apply(to configuration: inout ServerConfiguration) {
        configuration.webhooks.allowsPrivateURLs = allowPrivateWebhooks
        if let schedule = RetrySchedule(
            firstDelaySeconds: webhookRetryFirstSeconds, capSeconds: webhookRetryCapSeconds,
            maxAgeSeconds: webhookMaxAgeSeconds)
        {
            configuration.webhooks.outbox.schedule = schedule
        }
        configuration.webhooks.outbox.breakerFailuresMax = webhookBreakerFailures
        configuration.webhooks.outbox.breakerCoolDownSeconds = webhookBreakerCooldownSeconds
        configuration.webhooks.sender.requestTimeoutSeconds = webhookTimeoutSeconds
    }
}
