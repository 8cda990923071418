import Foundation

/// Parsing and printing of timestamps: ISO-8601 UTC or Unix seconds in, ISO-8601 UTC out.
public enum Timestamps {
    /// Parses `2026-11-02T08:00:00Z`, `2026-11-02T08:00:00+01:00`, `2026-11-02` or Unix seconds.
    public static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds.isFinite { return Int64(seconds.rounded(.down)) }
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
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
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
