import Crypto
import SlotDomain

/// A token's secret: 32 random bytes (256 bits) from the system's cryptographic generator, written `slotd_` and
/// 43 base64url characters. Shown once, when the token is created; the server keeps only `hash(of:)`.
public enum TokenSecret {
    public static let prefix = "slotd_"
    public static let randomBytes = 32

    /// A new secret, with the hash to store.
    public static func generate() -> (secret: String, hash: [UInt8]) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<randomBytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let secret = prefix + Base64URL.encode(bytes)
        return (secret, hash(of: secret))
    }

    /// SHA-256 of the secret's UTF-8 bytes: what the journal and snapshots store, and what a presented secret is
    /// looked up by. A lookup by hash reveals nothing about secrets through its timing: finding a secret with a
    /// given hash is the hard problem SHA-256 is.
    public static func hash(of secret: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(secret.utf8)))
    }

    /// Whether `text` has a secret's shape (a request's `token` field is checked before it is hashed).
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == prefix.utf8.count + 43 && text.hasPrefix(prefix)
    }
}

/// RFC 4648 §5 base64url without padding.
enum Base64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * offset) }
            for position in 0...chunk.count { output.append(alphabet[Int((value >> (18 - 6 * position)) & 63)]) }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
