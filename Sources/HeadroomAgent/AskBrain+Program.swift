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

    /// "What will shop need in 90 days?": `plan_capacity` for the service the question (or `service`) names, over the
    /// horizon it names (days, weeks, months; default 90 days), per day, else per hour when days are too few.
    func plan(_ question: String, service: String?, _ s: inout Session) throws -> String {
        let q = question.lowercased()
        let known = try s.call(.listServices).services.map(\.service)
        let words = Set(
            q.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "-" && $0 != "_" }).map(String.init))
        guard
            let name = service ?? known.first(where: { words.contains($0.lowercased()) })
                ?? (known.count == 1 ? known[0] : nil)
        else {
            return "Which service? Name one of: \(known.joined(separator: ", "))."
        }
        var days = 90
        if let match = q.range(of: #"(\d+)\s*(day|week|month)"#, options: .regularExpression) {
            let text = q[match]
            let number = Int(text.prefix { $0.isNumber }) ?? 90
            days = text.contains("week") ? number * 7 : text.contains("month") ? number * 30 : number
        } else if q.contains("next month") {
            days = 30
        } else if q.contains("next quarter") {
            days = 91
        } else if q.contains("next year") {
            days = 365
        }
        days = min(max(days, 1), 3650)
        var step = "day"
        var horizon = days
        let report: CapacityPlanReport
        do {
            report = try s.call(.planCapacity, ["service": .string(name), "horizon": .number(Double(days))])
        } catch {
            // Too few days of history: the hourly series, over the same span.
            step = "hour"
            horizon = min(days * 24, 3650)
            report = try s.call(
                .planCapacity,
                ["service": .string(name), "horizon": .number(Double(horizon)), "step": .string("hour")])
        }
        guard let end = report.forecast.last else { return "\(name): no forecast." }
        let line =
            "\(name) is forecast at \(Self.fixed(end.mean, 3)) cores in \(days) days "
            + "(80%: \(Self.fixed(end.lower80, 3))–\(Self.fixed(end.upper80, 3)), "
            + "95%: \(Self.fixed(end.lower95, 3))–\(Self.fixed(end.upper95, 3))), from \(report.history) \(step)s of "
            + "measured cores (last \(report.last.map { Self.fixed($0, 3) } ?? "n/a"))."
        s.note(.planCapacity, line)
        var lines = [line]
        if let open = report.openRegressionCores, open > 0 {
            let text = "Open regressions cost \(Self.fixed(open, 3)) cores of that; fixed, they are gone."
            s.note(.planCapacity, text)
            lines.append(text)
        }
        if let pending = report.pendingFixCores, pending > 0 {
            let text = "Delivered fixes not yet applied would save \(Self.fixed(pending, 3)) cores."
            s.note(.planCapacity, text)
            lines.append(text)
        }
        if step == "hour" {
            lines.append("(Fewer than 4 days of history: the forecast is per hour, \(horizon) hours.)")
        }
        return lines.joined(separator: "\n")
    }

    /// "What is waiting for carol?": `get_inbox` for the email, @handle or name the question gives.
    func inbox(_ question: String, _ s: inout Session) throws -> String {
        let words = question.split(whereSeparator: { $0.isWhitespace }).map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "?!.,;:'\"`"))
        }
        var person = words.first { $0.contains("@") }
        if person == nil {
            for (index, word) in words.enumerated()
            where ["for", "on", "of", "to"].contains(word.lowercased()) && index + 1 < words.count {
                let next = words[index + 1]
                guard !["me", "my", "the", "a"].contains(next.lowercased()), !next.isEmpty else { continue }
                // A name in capitals may be several words ("Frank Moreau").
                let name = words[(index + 1)...].prefix(3).prefix { $0.first?.isUppercase == true }
                person = name.count > 1 ? name.joined(separator: " ") : next
            }
        }
        guard let person else { return "Whose inbox? Name a person: an email, an @handle or a name." }
        let inbox = try s.call(.getInbox, ["person": .string(person)])
        var lines = [
            "\(person): \(inbox.regressions.count) regression\(inbox.regressions.count == 1 ? "" : "s") to review, "
                + "\(inbox.patches.count) fix\(inbox.patches.count == 1 ? "" : "es") awaiting review, "
                + "\(inbox.opportunities.count) opportunit\(inbox.opportunities.count == 1 ? "y" : "ies") in their code."
        ]
        s.note(.getInbox, lines[0])
        for item in (inbox.regressions + inbox.patches + inbox.opportunities).prefix(6) {
            let line =
                "- \(item.kind) #\(item.id) `\(item.function)` (\(item.service), \(Self.fixed(item.cores, 3)) cores): "
                + "\(item.summary) — theirs by \(item.because)"
            s.note(.getInbox, line)
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
