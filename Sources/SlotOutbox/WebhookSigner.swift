import Crypto
import Foundation

/// Signs a webhook delivery the Standard Webhooks way: `webhook-signature` is `v1,` and the base64 HMAC-SHA256,
/// under the endpoint's secret, of `id.timestamp.body`. A receiver with the secret checks that the body came
/// from slotd unchanged and, through the timestamp, that it is not an old delivery sent again.
public struct WebhookSigner: Sendable {
    /// The key's bytes: a secret written `whsec_<base64>` signs with the decoded bytes, as Standard Webhooks
    /// libraries read it.
    private let key: SymmetricKey

    /// Nil when `secret` is `whsec_` followed by something that is not base64.
    public init?(secret: String) {
        let prefix = "whsec_"
        if secret.hasPrefix(prefix) {
            guard let bytes = Data(base64Encoded: String(secret.dropFirst(prefix.count))) else { return nil }
            key = SymmetricKey(data: bytes)
        } else {
            key = SymmetricKey(data: Data(secret.utf8))
        }
    }

    /// The `webhook-signature` header's value for one delivery attempt.
    public func signature(id: String, timestampSeconds: Int64, body: [UInt8]) -> String {
        var message = Data("\(id).\(timestampSeconds).".utf8)
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return "v1," + Data(mac).base64EncodedString()
    }
}
