import Foundation
import HeadroomCore

/// Number and time parsing straight from bytes, for files with hundreds of millions of rows. Anything outside the
/// fast paths returns nil so the caller can fall back to the general (slow, complete) parsers.
enum FastParse {
    private static let powers: [Double] = (0...22).map { pow(10, Double($0)) }

    /// Decimal `[-+]digits[.digits][e[-+]digits]` when the result is exact under Clinger's fast path
    /// (≤ 19 significant digits whose value is below 2⁵³, |power of ten| ≤ 22): then one multiply or divide of two
    /// exactly represented doubles is correctly rounded, as `strtod` would be. nil otherwise.
    static func double(_ s: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        let n = s.count
        guard n > 0 else { return nil }
        var negative = false
        if s[0] == 0x2D || s[0] == 0x2B {
            negative = s[0] == 0x2D
            i = 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var sawDigit = false
        while i < n, s[i] &- 0x30 < 10 {
            if digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(s[i] &- 0x30)
                if mantissa != 0 { digits += 1 }
            } else {
                return nil
            }
            sawDigit = true
            i += 1
        }
        if i < n, s[i] == 0x2E {
            i += 1
            while i < n, s[i] &- 0x30 < 10 {
                guard digits < 19 else { return nil }
                mantissa = mantissa &* 10 &+ UInt64(s[i] &- 0x30)
                if mantissa != 0 { digits += 1 }
                exponent -= 1
                sawDigit = true
                i += 1
            }
        }
        guard sawDigit else { return nil }
        if i < n, s[i] | 0x20 == 0x65 {
            i += 1
            var negativeExponent = false
            if i < n, s[i] == 0x2D || s[i] == 0x2B {
                negativeExponent = s[i] == 0x2D
                i += 1
            }
            var e = 0
            var any = false
            while i < n, s[i] &- 0x30 < 10 {
                e = e * 10 + Int(s[i] &- 0x30)
                guard e < 1000 else { return nil }
                any = true
                i += 1
            }
            guard any else { return nil }
            exponent += negativeExponent ? -e : e
        }
        guard i == n, mantissa < 1 << 53, abs(exponent) <= 22 else { return nil }
        var value = Double(mantissa)
        value = exponent < 0 ? value / powers[-exponent] : value * powers[exponent]
        return negative ? -value : value
    }

    /// Unix seconds (digits, optional fraction dropped) or `YYYY-MM-DD[T ]HH:MM:SS[.fff](Z|±HH:MM)` or `YYYY-MM-DD`;
    /// anything else goes to `Timestamps.parse`.
    static func timestamp(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        let n = s.count
        guard n > 0 else { return nil }
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= n else { return nil }
            var value = 0
            for i in from..<from + count {
                let d = s[i] &- 0x30
                guard d < 10 else { return nil }
                value = value * 10 + Int(d)
            }
            return value
        }
        if n >= 10, s[4] == 0x2D, s[7] == 0x2D, let year = digits(0, 4), let month = digits(5, 2),
            let day = digits(8, 2),
            (1...12).contains(month), (1...31).contains(day)
        {
            let days = daysFromCivil(year, month, day)
            if n == 10 { return Int64(days) * 86_400 }
            guard n >= 20, s[10] == 0x54 || s[10] == 0x20, s[13] == 0x3A, s[16] == 0x3A,
                let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
                hour < 24, minute < 60, second < 61
            else { return fallback(s) }
            var i = 19
            if s[i] == 0x2E {
                i += 1
                while i < n, s[i] &- 0x30 < 10 { i += 1 }
            }
            var offset = 0
            if i < n, s[i] == 0x5A || s[i] == 0x7A {
                i += 1
            } else if i + 6 == n, s[i] == 0x2B || s[i] == 0x2D, s[i + 3] == 0x3A, let h = digits(i + 1, 2),
                let m = digits(i + 4, 2)
            {
                offset = (s[i] == 0x2D ? -1 : 1) * (h * 3600 + m * 60)
                i += 6
            } else {
                return fallback(s)
            }
            guard i == n else { return fallback(s) }
            return Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset)
        }
        var value: Int64 = 0
        var i = 0
        var negative = false
        if s[0] == 0x2D {
            negative = true
            i = 1
        }
        let first = i
        while i < n, s[i] &- 0x30 < 10, i - first < 18 {
            value = value * 10 + Int64(s[i] &- 0x30)
            i += 1
        }
        if i > first, i == n { return negative ? -value : value }
        return fallback(s)
    }

    private static func fallback(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        Timestamps.parse(String(decoding: s, as: UTF8.self))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// 64-bit FNV-1a, for remembering which series names were already seen.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01b3
        }
        return h
    }
}
