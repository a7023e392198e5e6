import SlotDomain
import SlotWire

extension Dispatcher {
    /// A batch that is not atomic: each op on its own, in order, as if pipelined on the connection; one reply
    /// holding each op's own. It waits until every op's changes are durable, as the last of them would.
    func runEach(_ items: [BatchItem]) async -> Outcome {
        var results: [BatchResult] = []
        var awaitedSequence: UInt64 = 0
        for item in items {
            switch item.request {
            case .failure(let error):
                results.append(BatchResult(id: item.id, reply: .failure(error), zone: nil))
            case .success(let request):
                let outcome = await handle(request.operation)
                awaitedSequence = max(awaitedSequence, outcome.awaitedSequence)
                results.append(BatchResult(id: item.id, reply: outcome.reply, zone: request.displayZone))
            }
        }
        return Outcome(reply: .success(.batch(results)), awaitedSequence: awaitedSequence)
    }
}

extension BatchItem {
    /// A request run on its own through the atomic path (a group op, a pool's hold).
    static func single(_ operation: Operation) -> BatchItem {
        BatchItem(id: nil, request: .success(Request(id: .null, operation: operation)))
    }
}
