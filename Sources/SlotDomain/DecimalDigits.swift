/// The one place texts from clients are read as decimal numbers. Swift's `Int("+1")` and `UInt64("01")` accept a
/// sign and leading zeros, so two spellings of one id or date would both be accepted; here only ASCII digits
/// count, and each number has exactly one spelling. Inlinable: RFC 3339 instants, on every request's path, are
/// read with it from another module, where an unspecialized generic call would walk the bytes through witnesses.
public enum DecimalDigits {
    /// The value of exactly `count` ASCII digits, zero-padded (`09`, `0987`); nil for anything else, a sign
    /// included.
    @inlinable
    public static func fixedWidth<Bytes: Collection<UInt8>>(_ bytes: Bytes, count: Int) -> Int? {
        // 18 digits always fit in an Int; no field slotd reads has more than four.
        guard bytes.count == count, (1...18).contains(count) else { return nil }
        var value = 0
        for byte in bytes {
            guard let digit = digit(byte) else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    /// The value of a number written without sign or leading zero (`17`, `0`; never `+17` or `017`); nil for
    /// anything else, or when it does not fit in a `UInt64`.
    @inlinable
    public static func canonical<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt64? {
        guard let first = bytes.first, first != UInt8(ascii: "0") || bytes.count == 1 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            guard let digit = digit(byte) else { return nil }
            let (tens, tensOverflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, sumOverflow) = tens.addingReportingOverflow(UInt64(digit))
            guard !tensOverflow, !sumOverflow else { return nil }
            value = sum
        }
        return value
    }

    @usableFromInline
    static func digit(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }
}
