import SlotDomain
import SlotOutbox
import Testing

@Suite struct CircuitBreakerTests {
    let failure = AttemptOutcome.failed(status: 500, reason: "status 500")
    let success = AttemptOutcome.delivered(status: 204)

    func at(_ seconds: Int64) -> Instant { Instant(secondsSinceEpoch: seconds) }

    @Test func defaultsOpenAfterFiveFailuresForAMinute() {
        let breaker = CircuitBreaker()
        #expect(breaker.failureThreshold == 5)
        #expect(breaker.coolDownSeconds == 60)
        #expect(breaker.state == .closed)
    }

    @Test func opensAfterTheThresholdOfConsecutiveFailures() {
        var breaker = CircuitBreaker(failureThreshold: 3, coolDownSeconds: 10)
        #expect(breaker.record(failure, now: at(1)) == nil)
        #expect(breaker.record(failure, now: at(2)) == nil)
        #expect(breaker.mayAttempt(now: at(2)) == .attempt)
        let opened = breaker.record(failure, now: at(3))
        #expect(opened == CircuitBreaker.Transition(from: .closed, to: .open(since: at(3))))
        #expect(breaker.state.name == "open")
    }

    @Test func aSuccessBetweenFailuresStartsTheCountAgain() {
        var breaker = CircuitBreaker(failureThreshold: 2, coolDownSeconds: 10)
        _ = breaker.record(failure, now: at(1))
        _ = breaker.record(success, now: at(2))
        #expect(breaker.consecutiveFailures == 0)
        #expect(breaker.record(failure, now: at(3)) == nil)
        #expect(breaker.state == .closed)
    }

    @Test func anOpenBreakerRefusesUntilTheCoolDownThenLetsOneProbeThrough() {
        var breaker = CircuitBreaker(failureThreshold: 1, coolDownSeconds: 10)
        _ = breaker.record(failure, now: at(100))
        #expect(breaker.mayAttempt(now: at(100)) == .wait(until: at(110)))
        #expect(breaker.mayAttempt(now: at(109)) == .wait(until: at(110)))
        // Failures of attempts already in flight when it opened change nothing.
        #expect(breaker.record(failure, now: at(105)) == nil)
        #expect(breaker.mayAttempt(now: at(110)) == .probe)
        #expect(breaker.state == .halfOpen)
        #expect(breaker.state.name == "half_open")
        #expect(breaker.mayAttempt(now: at(110)) == .awaitProbe)
        #expect(breaker.mayAttempt(now: at(500)) == .awaitProbe)
    }

    @Test func aSuccessfulProbeClosesIt() {
        var breaker = CircuitBreaker(failureThreshold: 1, coolDownSeconds: 10)
        _ = breaker.record(failure, now: at(0))
        #expect(breaker.mayAttempt(now: at(10)) == .probe)
        #expect(breaker.record(success, now: at(11)) == CircuitBreaker.Transition(from: .halfOpen, to: .closed))
        #expect(breaker.mayAttempt(now: at(11)) == .attempt)
        #expect(breaker.consecutiveFailures == 0)
    }

    @Test func aFailedProbeOpensItAgainWithANewCoolDown() {
        var breaker = CircuitBreaker(failureThreshold: 2, coolDownSeconds: 10)
        _ = breaker.record(failure, now: at(0))
        _ = breaker.record(failure, now: at(0))
        #expect(breaker.mayAttempt(now: at(15)) == .probe)
        let reopened = breaker.record(failure, now: at(17))
        #expect(reopened == CircuitBreaker.Transition(from: .halfOpen, to: .open(since: at(17))))
        #expect(breaker.mayAttempt(now: at(20)) == .wait(until: at(27)))
        #expect(breaker.mayAttempt(now: at(27)) == .probe)
    }

    @Test func aLateSuccessWhileOpenClosesIt() {
        var breaker = CircuitBreaker(failureThreshold: 1, coolDownSeconds: 10)
        _ = breaker.record(failure, now: at(0))
        #expect(
            breaker.record(success, now: at(3)) == CircuitBreaker.Transition(from: .open(since: at(0)), to: .closed))
        #expect(breaker.mayAttempt(now: at(3)) == .attempt)
    }
}
