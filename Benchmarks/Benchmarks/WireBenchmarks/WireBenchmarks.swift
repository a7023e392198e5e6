import Benchmark
import BenchmarkSupport
import SlotDomain
import SlotWire

/// The wire's share of a request: decoding and validating a `hold` line, and encoding the booking reply.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], warmupIterations: 100, scalingFactor: .kilo,
        maxDuration: .seconds(3), thresholds: Thresholds.standard)

    let line = Array(
        #"{"id":17,"op":"hold","resource":"dr-smith","start":"2027-01-11T09:00:00+01:00","end":"2027-01-11T09:30:00+01:00","customer":"alice","idempotency_key":"k-17"}"#
            .utf8)
    let decoder = RequestDecoder()
    Benchmark("decode-hold-request") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(decoder.decode(line))
        }
    }

    let resource = ResourceID("dr-smith")!
    let start = Instant(secondsSinceEpoch: 1_799_654_400)
    let summary = BookingSummary(
        id: BookingID(resource: resource, sequence: 17),
        range: TimeRange(start: start, end: start.adding(seconds: 1_800)),
        customer: "alice", state: .pendingConfirmation, expiresAt: start.adding(seconds: -3_600))
    Benchmark("encode-booking-reply") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(ReplyEncoder.success(id: .integer(17), .booking(summary)))
        }
    }
}
