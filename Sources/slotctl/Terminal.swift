import Dispatch
import Foundation
import Glibc
import Synchronization

/// The little of a terminal slotctl uses: whether a stream is one, and a full-screen view (`slotctl top`) drawn
/// with ANSI sequences, which gives the terminal back as it found it however the view ends.
enum Terminal {
    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    /// Writes `text` unbuffered, all of it.
    static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }

    /// The terminal's alternate screen, with the cursor hidden, for as long as `body` runs; Ctrl-C (SIGINT) or
    /// SIGTERM leave it too, and end the process with status 0 (stopping a live view is how it is meant to end).
    static func withFullScreen<Result>(_ body: (FullScreen) async throws -> Result) async rethrows -> Result {
        let screen = FullScreen()
        let signalQueue = DispatchQueue(label: "slotctl.signals")
        let signals = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: signalQueue)
            source.setEventHandler {
                screen.leave()
                exit(0)
            }
            source.resume()
            return source
        }
        screen.enter()
        defer {
            for source in signals { source.cancel() }
            screen.leave()
        }
        return try await body(screen)
    }
}

/// A screen redrawn whole each time; `leave` is safe to call twice (a signal, then the normal end).
final class FullScreen: Sendable {
    private static let alternateScreenOn = "\u{1B}[?1049h"
    private static let alternateScreenOff = "\u{1B}[?1049l"
    private static let cursorHidden = "\u{1B}[?25l"
    private static let cursorShown = "\u{1B}[?25h"
    private static let home = "\u{1B}[H"
    private static let eraseToEndOfLine = "\u{1B}[K"
    private static let eraseBelow = "\u{1B}[J"

    private let shown = Mutex(false)

    fileprivate func enter() {
        shown.withLock { shown in
            shown = true
            Terminal.write(Self.alternateScreenOn + Self.cursorHidden, to: STDOUT_FILENO)
        }
    }

    fileprivate func leave() {
        shown.withLock { shown in
            guard shown else { return }
            shown = false
            Terminal.write(Self.cursorShown + Self.alternateScreenOff, to: STDOUT_FILENO)
        }
    }

    /// Replaces what the screen shows with `lines`.
    func draw(_ lines: [String]) {
        shown.withLock { shown in
            guard shown else { return }
            let body = lines.map { $0 + Self.eraseToEndOfLine }.joined(separator: "\n")
            Terminal.write(Self.home + body + "\n" + Self.eraseBelow, to: STDOUT_FILENO)
        }
    }
}
