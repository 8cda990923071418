import Foundation

/// Parsing and printing of timestamps: ISO-8601 UTC or Unix seconds in, ISO-8601 UTC out.
public enum Timestamps {
    /// Parses `2026-11-02T08:00:00Z`, `2026-11-02T08:00:00+01:00`, `2026-11-02` or Unix seconds.
    public static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // Unix seconds from year 1 to 9999: beyond that range a number is not a time (and would not fit in Int64).
        if let seconds = Double(trimmed) {
            guard seconds.isFinite, (-62_135_596_800...253_402_300_799).contains(seconds) else { return nil }
            return Int64(seconds.rounded(.down))
        }
        let full = ISO8601DateFormatter()
        full.formatOptions = [.withInternetDateTime]
        if let date = full.date(from: trimmed) { return Int64(date.timeIntervalSince1970) }
        full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = full.date(from: trimmed) { return Int64(date.timeIntervalSince1970) }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let date = day.date(from: trimmed) { return Int64(date.timeIntervalSince1970) }
        return nil
    }

    /// ISO-8601 UTC with seconds, e.g. `2026-11-02T08:00:00Z`.
    public static func format(_ seconds: Int64) -> String {
        // Civil date from days since the epoch (Howard Hinnant's algorithm): far faster than a date formatter,
        // which matters when a fleet report prints hundreds of thousands of times.
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let yearText =
            year >= 0 && year < 10_000
            ? String(repeating: "0", count: 4 - String(year).count) + String(year) : String(year)
        return
            "\(yearText)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60))Z"
    }

    /// `HH:MM` UTC, for evidence lines.
    public static func clock(_ seconds: Int64) -> String {
        let iso = format(seconds)
        let time = iso.split(separator: "T").last.map(String.init) ?? iso
        return String(time.prefix(5))
    }

    /// Now, in Unix seconds.
    public static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
