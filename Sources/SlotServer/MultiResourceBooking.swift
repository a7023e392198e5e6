import SlotDomain
import SlotWire

/// Booking several resources at once, or one of a pool.
///
/// All-or-none without locks across actors: every resource is first *held* (unconfirmed, with its TTL), in
/// resource-id order so two such requests never wait on each other in a cycle; if any refuses, the holds
/// already taken are canceled (actor `system`, with the reason). Only when all are held does a `book` confirm
/// them. So a crash midway can leave only unconfirmed holds, which lapse at their TTL; nothing partial is ever
/// confirmed.
extension Dispatcher {
    func holdMany(_ resources: [ResourceID], _ command: HoldCommand, pool: Bool) async -> Outcome {
        var actors: [ResourceActor] = []
        for resource in resources {
            guard let actor = directory.actor(resource) else { return ResourceDirectory.notFound(resource) }
            actors.append(actor)
        }
        return pool ? await holdOne(of: actors, command) : await holdAll(actors.sorted { $0.id < $1.id }, command)
    }

    private func holdAll(_ actors: [ResourceActor], _ command: HoldCommand) async -> Outcome {
        var hold = command
        hold.confirm = false
        var taken: [(actor: ResourceActor, booking: BookingSummary)] = []
        var awaitedSequence: UInt64 = 0
        for actor in actors {
            let outcome = await actor.hold(hold)
            awaitedSequence = max(awaitedSequence, outcome.awaitedSequence)
            guard case .success(.booking(let summary)) = outcome.reply else {
                let refusal = outcome.reply.failureValue
                for (owner, booking) in taken {
                    let reason = "released: \(actor.id) refused the group (\(refusal?.code ?? "error"))"
                    awaitedSequence = max(
                        awaitedSequence,
                        await owner.transition(
                            .cancel(reason: reason), booking: booking.id.sequence, actor: Actors.system, stamp: nil
                        ).awaitedSequence)
                }
                var error = refusal ?? WireError(.internal, "the group booking failed")
                error.details["resource"] = actor.id.rawValue
                return Outcome(reply: .failure(error), awaitedSequence: awaitedSequence)
            }
            taken.append((actor, summary))
        }
        guard command.confirm else {
            return Outcome(reply: .success(.bookingGroup(taken.map(\.booking))), awaitedSequence: awaitedSequence)
        }
        var confirmed: [BookingSummary] = []
        for (actor, booking) in taken {
            let outcome = await actor.transition(
                .confirm, booking: booking.id.sequence, actor: command.actor, stamp: nil)
            awaitedSequence = max(awaitedSequence, outcome.awaitedSequence)
            guard case .success(.booking(let summary)) = outcome.reply else {
                // Between the hold and its confirm another client may cancel the hold (its id is easy to guess),
                // or it may expire: the group is released, the ones already confirmed included, and refused.
                let refusal = outcome.reply.failureValue ?? WireError(.internal, "the group booking failed")
                let reason = "released: \(actor.id) could not be confirmed (\(refusal.code))"
                for (owner, held) in taken {
                    let canceled = await owner.transition(
                        .cancel(reason: reason), booking: held.id.sequence, actor: Actors.system, stamp: nil)
                    awaitedSequence = max(awaitedSequence, canceled.awaitedSequence)
                }
                var error = refusal
                error.details["resource"] = actor.id.rawValue
                return Outcome(reply: .failure(error), awaitedSequence: awaitedSequence)
            }
            confirmed.append(summary)
        }
        return Outcome(reply: .success(.bookingGroup(confirmed)), awaitedSequence: awaitedSequence)
    }

    /// Fair pick: the pool member with the fewest active bookings starting that local day, then by id; the
    /// next is tried when one refuses. The reply's booking names the resource chosen; when every member refuses,
    /// the last refusal names the members tried, in order, as `tried` (comma-separated: a detail is a string,
    /// and a resource id has no comma).
    private func holdOne(of actors: [ResourceActor], _ command: HoldCommand) async -> Outcome {
        var ranked: [(load: Int, actor: ResourceActor)] = []
        for actor in actors { ranked.append((await actor.bookingsStarting(onLocalDayOf: command.range.start), actor)) }
        ranked.sort { ($0.load, $0.actor.id) < ($1.load, $1.actor.id) }
        var last: Outcome?
        for (_, actor) in ranked {
            let outcome = await actor.hold(command)
            if case .success = outcome.reply { return outcome }
            last = outcome
        }
        guard var last, var refusal = last.reply.failureValue else {
            return Outcome(reply: .failure(.invalid("pool", "names no resource")), awaitedSequence: 0)
        }
        refusal.details["tried"] = ranked.map(\.actor.id.rawValue).joined(separator: ",")
        last.reply = .failure(refusal)
        return last
    }
}

extension Result where Failure == WireError {
    var failureValue: WireError? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
