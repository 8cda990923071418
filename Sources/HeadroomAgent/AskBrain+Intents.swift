import Foundation
import HeadroomCore
import HeadroomSkills

/// What a question asks: its intents from its words, and the code names it mentions.
extension AskBrain {
    /// The questions the rule brain answers.
    public enum Intent: String, Sendable, Codable, CaseIterable {
        case regressed, why, whatToDo = "what_to_do", opportunities, cost
        /// What the program has delivered: cores recovered, false alarms, fixes accepted (`get_metrics`).
        case savings
        /// What a service will need (`plan_capacity`).
        case plan
        /// What waits for a person (`get_inbox`).
        case inbox
    }

    /// Which questions the text asks, in answering order; none recognised means an overview (what regressed and
    /// the biggest opportunities).
    public static func intents(_ question: String) -> [Intent] {
        let q = " " + question.lowercased() + " "
        func has(_ words: [String]) -> Bool { words.contains { q.contains($0) } }
        // The program's figures are their own question: "how many cores did we recover this month?" is not a
        // question about what a function costs or where to save next.
        if has([
            "recover", "did we save", "have we saved", "saved so far", "saved to date", "false positive",
            "false alarm", "acceptance", "accepted fixes", "megawatt", "mwh", "engineer-hours", "engineer hours",
        ]) {
            return [.savings]
        }
        if has(["waiting for", "waiting on", "inbox", "on the plate of", "on my plate", "assigned to", "queue of"]) {
            return [.inbox]
        }
        if has([
            "capacity", "forecast", "will need", "need in ", "going to need", "how many cores will", "plan for",
            "headroom left", "run out",
        ]) {
            return [.plan]
        }
        var found: [Intent] = []
        if has(["regress", "slower", "what changed", "got worse", "worse", "spike", "went up", "increase"]) {
            found.append(.regressed)
        }
        if has(["why", "culprit", "cause", "blame", "who ", "which commit", "what commit", "responsible"]) {
            found.append(.why)
        }
        if has([
            "what to do", "what should", "what do we do", "what can we do", "fix", "mitigat", "how do i", "how do we",
            "next step", "patch", "remed",
        ]) {
            found.append(.whatToDo)
        }
        if has(["opportunit", "biggest", "savings", "save ", "waste", "optimi", "where can", "low-hanging", "cheaper"])
        {
            found.append(.opportunities)
        }
        if has(["cost", "how much", "expensive", "share of", "spend", "cpu does", "cpu of", "cores", "watts"]) {
            found.append(.cost)
        }
        return found.isEmpty ? [.regressed, .opportunities] : found
    }

    /// Words that look like code names: backticked text, or identifiers with `_`, `.` or `()`.
    static func identifiers(_ question: String) -> [String] {
        var names: [String] = []
        let backticked = question.split(separator: "`", omittingEmptySubsequences: false)
        if backticked.count > 2 {
            for (i, part) in backticked.enumerated() where i % 2 == 1 && !part.isEmpty { names.append(String(part)) }
        }
        for raw in question.split(whereSeparator: {
            $0.isWhitespace || $0 == "," || $0 == "?" || $0 == "`" || $0 == "'" || $0 == "\""
        }) {
            var word = String(raw).trimmingCharacters(in: CharacterSet(charactersIn: ".:;!"))
            if word.hasSuffix("()") { word.removeLast(2) }
            guard word.range(of: #"^[A-Za-z_][A-Za-z0-9_.]*$"#, options: .regularExpression) != nil,
                word.contains("_") || word.contains(".") || raw.hasSuffix("()")
            else { continue }
            if !names.contains(word) { names.append(word) }
        }
        return names
    }
}
