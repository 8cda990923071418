import Foundation
import HeadroomCore

/// The program's questions: what the loop has delivered.
extension AskBrain {
    /// "How many cores did we recover this month?": the figures of `get_metrics` over the window the question
    /// names (today, this week, this month, this quarter, this year; else all time).
    func savings(_ question: String, _ s: inout Session) throws -> String {
        let q = question.lowercased()
        let windows: [(String, Int64, String)] = [
            ("today", 86_400, "today"), ("this week", 7 * 86_400, "this week"),
            ("this month", 30 * 86_400, "this month"),
            ("this quarter", 91 * 86_400, "this quarter"), ("this year", 365 * 86_400, "this year"),
        ]
        let window = windows.first { q.contains($0.0) }
        var input: [String: JSONValue] = [:]
        if let window { input["since"] = .number(Double(Timestamps.now() - window.1)) }
        let m = try s.call(.getMetrics, .object(input))
        let when = window?.2 ?? "so far"
        let fixes = m.savings.fixes.count
        var lines = [
            "Applied fixes recover \(Self.fixed(m.savings.cores, 3)) cores (\(Self.fixed(m.savings.watts, 1)) W, "
                + "\(Self.fixed(m.savings.megawattHours, 4)) MWh to date) \(when), from \(fixes) applied fix"
                + "\(fixes == 1 ? "" : "es"); about \(Self.fixed(m.savings.engineerHours, 0)) engineer-hours."
        ]
        s.note(.getMetrics, lines[0])
        for fix in m.savings.fixes.prefix(5) {
            let line =
                "- patch #\(fix.patch) on `\(fix.function)` (\(fix.service)): \(Self.fixed(fix.speedup, 2))× on "
                + "\(Self.fixed(fix.functionCores, 3)) cores (\(fix.coresBasis.rawValue)) → "
                + "\(Self.fixed(fix.cores, 3)) cores recovered"
            lines.append(line)
            s.note(.getMetrics, line)
        }
        let r = m.regressions
        let f = m.fixes
        let detection =
            "Detection \(when): \(r.detected) regressions, \(r.acknowledged) acknowledged, \(r.invalid) marked invalid"
            + (r.falsePositiveRate.map { " (false-positive rate \(Self.percent($0)))" } ?? "")
            + "; fixes: \(f.delivered) delivered, \(f.applied) applied, \(f.rejected) rejected"
            + (f.acceptanceRate.map { " (acceptance \(Self.percent($0)))" } ?? "") + "."
        lines.append(detection)
        s.note(.getMetrics, detection)
        return lines.joined(separator: "\n")
    }
}
