import Foundation
import SlotDomain
import SlotWire

extension Dispatcher {
    /// A batch that is not atomic: each op on its own, in order, as if pipelined on the connection; one reply
    /// holding each op's own. It waits until every op's changes are durable, as the last of them would. A read
    /// whose answer would take the reply past `replyBytesMax` gets `reply_too_large` as its result and the batch
    /// goes on, so the client still learns what each change did.
    func runEach(_ items: [BatchItem], as principal: Principal) async -> Outcome {
        var results: [BatchResult] = []
        var awaitedSequence: UInt64 = 0
        var budget = ReplyBudget(bytesMax: replyBytesMax)
        for item in items {
            switch item.request {
            case .failure(let error):
                results.append(BatchResult(id: item.id, reply: .failure(error), zone: nil))
            case .success(let request):
                let outcome = await handle(request.operation, as: principal)
                awaitedSequence = max(awaitedSequence, outcome.awaitedSequence)
                results.append(
                    BatchResult(
                        id: item.id, reply: budget.admit(outcome.reply, zone: request.displayZone),
                        zone: request.displayZone))
            }
        }
        return Outcome(reply: .success(.batch(results)), awaitedSequence: awaitedSequence)
    }
}

extension BatchItem {
    /// A request run on its own through the atomic path (a group op, a pool's hold).
    static func single(_ operation: SlotWire.Operation) -> BatchItem {
        BatchItem(id: nil, request: .success(Request(id: .null, operation: operation)))
    }
}

/// What a batch's results may still take of `replyBytesMax`. Small replies are counted at a fixed estimate and
/// never measured (the batch of bookings a load tester sends stays as cheap as pipelining); a reply that may be
/// large is measured, and refused as `reply_too_large` when it does not fit what is left.
struct ReplyBudget {
    static let smallReplyBytes = 1_024
    let bytesMax: Int
    private(set) var usedBytes = 0

    init(bytesMax: Int) {
        self.bytesMax = bytesMax
    }

    mutating func admit(_ reply: Result<ReplyBody, WireError>, zone: TimeZone?) -> Result<ReplyBody, WireError> {
        guard case .success(let body) = reply, body.mayBeLarge else {
            usedBytes += Self.smallReplyBytes
            return reply
        }
        guard let bytes = ReplyEncoder.encodedBytes(body, zone: zone, bytesMax: bytesMax - usedBytes) else {
            usedBytes += Self.smallReplyBytes
            return .failure(.replyTooLarge(limitBytes: bytesMax))
        }
        usedBytes += bytes
        return reply
    }
}
