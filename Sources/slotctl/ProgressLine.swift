import Dispatch
import Foundation
import Synchronization

/// One line on stderr saying that a long command is still at work: a spinner, what it is doing, and the time so
/// far, redrawn in place and erased when the work ends. Only when stderr is a terminal: a script (stderr in a pipe
/// or a file) sees exactly what it saw without it. Drawn from its own dispatch queue, so it keeps turning while
/// the command blocks its thread (an offline replay) as well as while it awaits a reply.
final class ProgressLine: Sendable {
    /// Work shorter than this shows nothing, so quick commands do not flicker.
    static let delaySeconds = 0.3
    static let redrawSeconds = 0.1

    private let drawing: Drawing
    private let timer: Mutex<(any DispatchSourceTimer)?>

    /// Starts drawing `label` on a terminal; on anything else, a line that does nothing.
    init(_ label: String, enabled: Bool = Terminal.isTerminal(STDERR_FILENO)) {
        let drawing = Drawing(label: label)
        self.drawing = drawing
        guard enabled else {
            timer = Mutex(nil)
            return
        }
        let source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "slotctl.progress"))
        source.setEventHandler { drawing.draw() }
        source.schedule(
            deadline: .now() + Self.delaySeconds, repeating: Self.redrawSeconds, leeway: .milliseconds(20))
        source.resume()
        timer = Mutex(source)
    }

    /// False when stderr is not a terminal and nothing is drawn.
    var isOnTerminal: Bool { timer.withLock { $0 != nil } }

    /// What the work is doing now (`verify: 20,000 of 50,000 entries checked`).
    func update(_ label: String) {
        drawing.update(label)
    }

    /// Stops drawing and erases the line, so that what the command prints next starts on a clean line.
    func finish() {
        let source = timer.withLock { timer in
            defer { timer = nil }
            return timer
        }
        source?.cancel()
        drawing.finish()
    }
}

/// The line itself, drawn from the timer's queue.
private final class Drawing: Sendable {
    private static let frames = ["|", "/", "-", "\\"]

    private struct State {
        var label: String
        var frame = 0
        var drawn = false
        var finished = false
    }

    private let state: Mutex<State>
    private let started = ContinuousClock.now

    init(label: String) {
        state = Mutex(State(label: label))
    }

    func update(_ label: String) {
        state.withLock { $0.label = label }
    }

    /// Under the lock, as drawing is: a redraw already under way cannot land after the erasure.
    func finish() {
        state.withLock { state in
            state.finished = true
            if state.drawn { Terminal.write("\r\u{1B}[K", to: STDERR_FILENO) }
        }
    }

    func draw() {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        state.withLock { state in
            guard !state.finished else { return }
            state.frame = (state.frame + 1) % Self.frames.count
            state.drawn = true
            let text = "\r\(Self.frames[state.frame]) \(state.label) (\(String(format: "%.1f", seconds)) s)\u{1B}[K"
            Terminal.write(text, to: STDERR_FILENO)
        }
    }
}

/// Runs `work` with a `ProgressLine` saying `label` on a terminal.
func withProgress<Result>(_ label: String, _ work: () async throws -> Result) async rethrows -> Result {
    let progress = ProgressLine(label)
    defer { progress.finish() }
    return try await work()
}

/// Runs blocking `work` with a `ProgressLine`, which it may update.
func withProgress<Result>(_ label: String, _ work: (ProgressLine) throws -> Result) rethrows -> Result {
    let progress = ProgressLine(label)
    defer { progress.finish() }
    return try work(progress)
}
