import SlotServer
import Testing

@testable import slotd

@Suite struct RateLimitFlagsTests {
    @Test func defaultsAreTheConfigurationsAndZeroMeansNoLimit() throws {
        let defaults = try Slotd.parse([])
        let limits = ServerConfiguration().rateLimits
        #expect(defaults.rateLimitPerToken == limits.perToken?.permits)
        #expect(defaults.rateLimitPerAddress == limits.perAddress?.permits)
        #expect(defaults.authFailuresPerAddress == limits.authFailuresPerAddress.burst)
        #expect(defaults.authFailureRefillSeconds == limits.authFailuresPerAddress.seconds)
        #expect(defaults.authFailuresPerConnection == limits.authFailuresPerConnectionMax)
        #expect(throws: Never.self) {
            try Slotd.parse(["--rate-limit-per-token", "0", "--rate-limit-per-address", "0"])
        }
    }

    @Test(arguments: [
        ["--rate-limit-per-token", "2000000001"], ["--rate-limit-per-address", "2000000001"],
        ["--auth-failures-per-address", "0"], ["--auth-failure-refill-seconds", "0"],
        ["--auth-failures-per-address", "2000000", "--auth-failure-refill-seconds", "2001"],
        ["--auth-failures-per-connection", "0"],
    ])
    func outOfRangeValuesAreRefusedAtStart(arguments: [String]) {
        #expect(throws: (any Error).self) { try Slotd.parse(arguments) }
    }
}
