/// A calendar account's user name and password, sent as HTTP Basic authentication. Every way Swift prints a value
/// (`print`, string interpolation, `dump`, `Mirror`) shows neither: a log line or an error message that carries a
/// request's context must never carry the password, and the user name often is an e-mail address.
public struct CalendarCredentials: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    public var description: String { "CalendarCredentials(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
