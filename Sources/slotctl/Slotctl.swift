import ArgumentParser

/// `slotctl`: the operator's tool. Talks to a running slotd over its protocol, or inspects files offline.
@main
struct Slotctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slotctl", abstract: "Operate a slotd server and inspect its files.", subcommands: [])
}
