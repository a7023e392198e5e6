import Foundation
import SlotOutbox
import Testing

@Suite struct WebhookSignerTests {
    /// The HMAC-SHA256 of a fixed message under a fixed key, computed independently
    /// (`python3 -c 'import hmac,hashlib,base64; ...'`): the signer signs `id.timestamp.body` with the secret's
    /// decoded bytes.
    @Test func signsIdTimestampAndBodyWithTheDecodedSecret() throws {
        let secret = "whsec_" + Data("slotd-test-key".utf8).base64EncodedString()
        let signer = try #require(WebhookSigner(secret: secret))
        let signature = signer.signature(id: "msg_1", timestampSeconds: 1_700_000_000, body: Array("{}".utf8))
        #expect(signature == "v1,Bx+yJ/7fIN/Nutoil73BlK4D9o1irJSYvueF+zzdAuI=")
    }

    @Test func refusesASecretThatIsNotBase64() {
        #expect(WebhookSigner(secret: "whsec_***") == nil)
    }
}
