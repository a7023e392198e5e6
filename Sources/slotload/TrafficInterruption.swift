import Dispatch
import Foundation
import Synchronization

/// Ctrl-C (SIGINT) or SIGTERM while the traffic runs ends the traffic, not the run: no connection starts another
/// round, the rounds in flight are read to their last reply, and the final check and the reports follow as after a
/// `--duration-seconds` deadline. Whoever stops a long load test still wants to know whether what it did was right,
/// and a run cut short without its check would have measured nothing it could vouch for.
/// A second signal, or one that comes before the traffic starts or during the check, ends slotload at once with
/// the status the signal would have given it (128 + its number): nothing is being measured then, and waiting would
/// only be in the way.
final class TrafficInterruption: Sendable {
    enum Phase {
        case settingUp
        case traffic
        case judging
    }

    private struct State {
        var phase = Phase.settingUp
        /// The signal that ended the traffic, by name.
        var endedBy: String?
    }

    private let state = Mutex(State())
    /// Read by every connection before each round, so it is an atomic and not behind the lock; once set, never
    /// cleared.
    private let ending = Atomic<Bool>(false)
    private let queue = DispatchQueue(label: "slotload.signals")

    /// Takes SIGINT and SIGTERM over from their default (which ends the process). Returns the signal sources, to be
    /// kept for as long as the run lasts: a released source stops delivering.
    func install() -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            // Dispatch takes a signal only once its default action (which ends the process) is off.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [self] in received(number) }
            source.resume()
            return source
        }
    }

    /// True once a signal ended the traffic: a connection starts no more rounds.
    var isEndingTraffic: Bool { ending.load(ordering: .relaxed) }

    /// The connections are open and about to start: from now on a first signal ends their traffic.
    func trafficStarts() {
        state.withLock { $0.phase = .traffic }
    }

    /// Every connection is done; returns the signal that ended the traffic early, if one did.
    func trafficEnded() -> String? {
        state.withLock { state in
            state.phase = .judging
            return state.endedBy
        }
    }

    /// Ends the traffic, for the signal named `name`, if it runs and no signal ended it yet; false otherwise.
    func endTraffic(by name: String) -> Bool {
        let ends = state.withLock { state in
            guard state.phase == .traffic, state.endedBy == nil else { return false }
            state.endedBy = name
            return true
        }
        if ends { ending.store(true, ordering: .relaxed) }
        return ends
    }

    private func received(_ number: Int32) {
        let name = number == SIGINT ? "SIGINT" : "SIGTERM"
        // The status a shell shows for a program the signal ended. Not by re-raising it: on Linux the signal
        // source reads the signal from a signalfd and keeps it blocked on dispatch's threads, so a raised one would
        // come back to this handler rather than end the process.
        guard endTraffic(by: name) else { exit(128 + number) }
        let line = "slotload: \(name): ending the traffic; the final check follows (signal again to quit at once)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
