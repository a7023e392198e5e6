import Foundation
import NIOHTTP1
import SlotAuth
import SlotDomain

/// Who a request on the HTTP side port acts as, when `ServerConfiguration.requiresAuthentication`: the token whose
/// secret its `Authorization` header carries, either as a bearer token (scrapers, scripts) or as the password of
/// HTTP Basic authentication with any user name (a browser, which cannot send a bearer header when it navigates).
struct HTTPAccess: Sendable {
    let directory: ResourceDirectory
    /// `ServerConfiguration.requiresAuthentication`: without it, every request is admitted anonymously.
    let requiresAuthentication: Bool

    /// Tokens of this role and above may read `/metrics`, the operator page and its API: the role of `stats`.
    static let roleMin = Role.operator

    /// What a 401 asks for: a browser shows its login prompt only for `basic`.
    enum Challenge {
        case bearer
        case basic

        var header: (String, String) {
            switch self {
            case .bearer: ("WWW-Authenticate", #"Bearer realm="slotd""#)
            case .basic: ("WWW-Authenticate", #"Basic realm="slotd""#)
            }
        }
    }

    enum Admission {
        case admitted(Principal)
        case refused(HTTPReply)
    }

    /// Admits a request carrying the secret of a usable token of `roleMin` or above (or any request when
    /// authentication is off); refuses the rest with 401 (and `challenge`) or 403. `what` names the refused thing.
    func admit(_ headers: HTTPHeaders, challenge: Challenge, what: String) -> Admission {
        guard requiresAuthentication else { return .admitted(.anonymous) }
        guard let secret = Self.secret(in: headers) else {
            return .refused(
                Self.unauthenticated(
                    "send Authorization: Bearer <secret>, or Basic with the secret as the password, of an operator "
                        + "or admin token", challenge: challenge))
        }
        guard TokenSecret.isWellFormed(secret),
            let token = directory.tokens.token(withSecretHash: TokenSecret.hash(of: secret)),
            token.isUsable(at: directory.clock.now())
        else {
            return .refused(
                Self.unauthenticated("the token is not valid: unknown, revoked or expired", challenge: challenge))
        }
        guard token.role >= Self.roleMin else {
            return .refused(
                HTTPReply.json(
                    .forbidden, #"{"error":"forbidden","message":"\#(what) need a token of role operator or admin"}"#))
        }
        return .admitted(Principal(token: token))
    }

    /// The secret of `Authorization: Bearer <secret>` or of `Authorization: Basic base64(<any user>:<secret>)`;
    /// the scheme's name is matched without regard to case, as RFC 9110 asks.
    static func secret(in headers: HTTPHeaders) -> String? {
        guard let authorization = headers.first(name: "Authorization") else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2 else { return nil }
        let credentials = parts[1].trimmingCharacters(in: .whitespaces)
        switch parts[0].lowercased() {
        case "bearer":
            return credentials
        case "basic":
            guard let decoded = Data(base64Encoded: credentials), let pair = String(data: decoded, encoding: .utf8),
                let colon = pair.firstIndex(of: ":")
            else { return nil }
            return String(pair[pair.index(after: colon)...])
        default:
            return nil
        }
    }

    private static func unauthenticated(_ message: String, challenge: Challenge) -> HTTPReply {
        var reply = HTTPReply.json(.unauthorized, #"{"error":"unauthenticated","message":"\#(message)"}"#)
        reply.headers.append(challenge.header)
        return reply
    }
}
