import Foundation
import SlotDomain

/// One op's reply inside a `batch` reply: what the op alone would have replied, without the batch's `id`, with the
/// op's own `id` when it gave one, and shown in the op's own `tz`.
public struct BatchResult: Sendable {
    public var id: RequestID?
    public var reply: Result<ReplyBody, WireError>
    public var zone: TimeZone?

    public init(id: RequestID?, reply: Result<ReplyBody, WireError>, zone: TimeZone?) {
        self.id = id
        self.reply = reply
        self.zone = zone
    }
}

extension ReplyEncoder {
    static func write(_ outcome: GroupOutcome, zone: TimeZone?, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.string(outcome.id.description)
        writer.key("state")
        writer.string(outcome.state)
        writer.key("bookings")
        write(outcome.bookings, zone: zone, to: &writer)
        writer.endObject()
    }

    static func write(_ results: [BatchResult], to writer: inout JSONWriter) {
        writer.beginArray()
        for result in results where !writer.isOverLimit {
            writer.beginObject()
            if let id = result.id {
                writer.key("id")
                id.write(to: &writer)
            }
            writer.key("ok")
            switch result.reply {
            case .success(let body):
                writer.bool(true)
                write(body, zone: result.zone, to: &writer)
            case .failure(let error):
                writer.bool(false)
                writer.key("error")
                write(error, to: &writer)
            }
            writer.endObject()
        }
        writer.endArray()
    }
}

extension ReplyEncoder {
    /// The bytes `body` takes in a reply, or nil past `bytesMax` (encoding stops there). For a batch, whose reply
    /// holds up to `batchOperationsMax` ops' replies: it is checked op by op, so the batch never holds much more
    /// than one reply's worth.
    public static func encodedBytes(_ body: ReplyBody, zone: TimeZone?, bytesMax: Int) -> Int? {
        var writer = JSONWriter(bytesMax: bytesMax)
        writer.beginObject()
        write(body, zone: zone, to: &writer)
        writer.endObject()
        return writer.isOverLimit ? nil : writer.bytes.count
    }
}

extension ReplyBody {
    /// Replies that may run to many kilobytes (lists and histories); any other reply is a few hundred bytes.
    public var mayBeLarge: Bool {
        switch self {
        case .resources, .bookingWithHistory, .bookings, .slots, .pooledSlots, .waitlist, .series, .rules, .tokens,
            .liveSamples, .webhooks, .deliveries:
            true
        case .empty, .resource, .booking, .group, .batch, .snapshot, .stats, .waitlistEntry, .principal, .token,
            .erasure, .subscription, .unsubscribed, .webhook, .webhookDeleted, .delivery:
            false
        }
    }
}
