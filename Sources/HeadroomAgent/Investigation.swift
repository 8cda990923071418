import Foundation
import HeadroomCore
import HeadroomSkills

/// One step of a guided investigation as it was shown and decided.
public struct InvestigationStep: Sendable, Codable, Equatable {
    /// The skill's step name (`regression`, `culprits`, `change`, `profile`, `fix`).
    public var step: String
    /// The tool it called.
    public var tool: String
    /// The tool's input.
    public var input: JSONValue
    /// What was shown of the tool's answer.
    public var shown: [String]
    /// The skill's reading of it.
    public var reading: String
    /// The choices offered (empty: continue or stop) and the one taken (nil when the person stopped here).
    public var choices: [String]
    /// The choice taken; null where the person stopped.
    public var chosen: String?

    /// A value from its fields.
    public init(
        step: String, tool: String, input: JSONValue, shown: [String], reading: String, choices: [String],
        chosen: String?
    ) {
        self.step = step
        self.tool = tool
        self.input = input
        self.shown = shown
        self.reading = reading
        self.choices = choices
        self.chosen = chosen
    }

    /// Writes every key (`chosen` is `null` where the person stopped).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(step, forKey: .step)
        try c.encode(tool, forKey: .tool)
        try c.encode(input, forKey: .input)
        try c.encode(shown, forKey: .shown)
        try c.encode(reading, forKey: .reading)
        try c.encode(choices, forKey: .choices)
        try c.encode(chosen, forKey: .chosen)
    }

    enum CodingKeys: String, CodingKey { case step, tool, input, shown, reading, choices, chosen }
}

/// A guided investigation's transcript (`headroom investigate`).
public struct InvestigationTranscript: Sendable, Codable, Equatable {
    /// The regression (or its id).
    public var regression: Int64
    /// The investigation skill walked.
    public var skill: String
    /// ISO-8601 UTC.
    public var startedAt: String
    /// When it ended, ISO-8601 UTC.
    public var finishedAt: String
    /// `completed`, or `stopped` (by the person, at the last step listed), or `failed` (a tool failed; `error`).
    public var outcome: String
    /// Why it failed, when it did.
    public var error: String?
    /// The steps walked, in order.
    public var steps: [InvestigationStep]

    /// A value from its fields.
    public init(
        regression: Int64, skill: String, startedAt: String, finishedAt: String, outcome: String, error: String?,
        steps: [InvestigationStep]
    ) {
        self.regression = regression
        self.skill = skill
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.error = error
        self.steps = steps
    }

    enum CodingKeys: String, CodingKey {
        case regression, skill, outcome, error, steps
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }

    /// Writes every key (`error` is `null` unless the walk failed).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(regression, forKey: .regression)
        try c.encode(skill, forKey: .skill)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(error, forKey: .error)
        try c.encode(steps, forKey: .steps)
    }
}

/// Walks an investigation skill's steps (`headroom-steps` in its metadata) over the tools: each step calls its tool,
/// shows the answer, reads it, and hands the person the decision (continue, choose, stop) through `decide`.
public struct InvestigationWalker {
    /// What the person decided after seeing a step: go on (with the choice's index when choices were offered) or
    /// stop.
    public enum Decision: Sendable, Equatable {
        case next(Int)
        case stop
    }

    /// The tools each step calls.
    public let registry: ToolRegistry
    /// The investigation skill walked.
    public let skill: Skill

    /// The steps this walker knows how to run, in the order a skill may list them.
    public static let known = ["regression", "culprits", "change", "profile", "fix"]

    /// A value from its fields.
    public init(registry: ToolRegistry, skill: Skill) throws {
        let steps = Self.steps(of: skill)
        guard skill.kinds.contains("investigation"), !steps.isEmpty else {
            throw HeadroomError(.badInput, "skill \(skill.name) is not an investigation (no headroom-steps)")
        }
        if let unknown = steps.first(where: { !Self.known.contains($0) }) {
            throw HeadroomError(
                .badInput,
                "skill \(skill.name): unknown step `\(unknown)` (known: \(Self.known.joined(separator: ", ")))")
        }
        self.registry = registry
        self.skill = skill
    }

    static func steps(of skill: Skill) -> [String] {
        (skill.metadata["headroom-steps"] ?? "").split(separator: " ").map(String.init)
    }

    /// The state the steps share: the regression and the culprit the person chose.
    struct Context {
        var id: Int64
        var regression: RegressionReport?
        var candidates: [RootCauseReport.Candidate] = []
        var repository: String?
        var chosen: RootCauseReport.Candidate?
    }

    /// Walks every step for regression `id`; `decide` sees each step (with its choices) and returns the decision.
    public func walk(regression id: Int64, decide: (InvestigationStep) -> Decision) -> InvestigationTranscript {
        let started = Timestamps.format(Timestamps.now())
        var context = Context(id: id)
        var steps: [InvestigationStep] = []
        var outcome = "completed"
        var failure: String?
        for name in Self.steps(of: skill) {
            var step: InvestigationStep
            do {
                step = try run(name, &context)
            } catch {
                outcome = "failed"
                failure = "\(name): \(HeadroomError.oneLine(error))"
                break
            }
            let decision = decide(step)
            guard case .next(let index) = decision else {
                steps.append(step)
                outcome = "stopped"
                break
            }
            if !step.choices.isEmpty {
                let pick = step.choices.indices.contains(index) ? index : 0
                step.chosen = step.choices[pick]
                if name == "culprits", context.candidates.indices.contains(pick) {
                    context.chosen = context.candidates[pick]
                }
            } else {
                step.chosen = "continue"
            }
            steps.append(step)
        }
        return InvestigationTranscript(
            regression: id, skill: skill.name, startedAt: started, finishedAt: Timestamps.format(Timestamps.now()),
            outcome: outcome, error: failure, steps: steps)
    }

    private func call<Output>(_ signature: ToolSignature<Output>, _ input: JSONValue) throws -> Output {
        try ToolRegistry.decode(try registry.call(signature.name.rawValue, input), as: signature)
    }

    private func run(_ name: String, _ context: inout Context) throws -> InvestigationStep {
        switch name {
        case "regression": return try regressionStep(&context)
        case "culprits": return try culpritsStep(&context)
        case "change": return try changeStep(&context)
        case "profile": return try profileStep(&context)
        default: return try fixStep(&context)
        }
    }

    private static func percent(_ share: Double) -> String { String(format: "%.2f%%", share * 100) }

    private func regressionStep(_ context: inout Context) throws -> InvestigationStep {
        let input: JSONValue = ["id": .number(Double(context.id))]
        let detail = try call(.getRegression, input)
        let r = detail.regression
        context.regression = r
        let shown = [
            "\(r.function)\(r.file.map { " (\($0))" } ?? "") in \(r.service): \(r.metric.rawValue) share "
                + "\(Self.percent(r.before)) → \(Self.percent(r.after)) (\(Regression.relativeChangeText(r.relativeChange, decimals: 1))) since \(r.timestamp)",
            String(
                format: "≈ %.3f cores (%@), p = %.2g, confidence %.2f", r.cores, r.coresBasis.rawValue, r.pValue,
                r.confidence),
        ]
        var reading =
            r.before == 0
            ? "A function that appeared from nothing: a new code path or a new call."
            : String(format: "Its share rose %.1f×.", r.after / r.before)
        if let effect = r.effectMDE {
            reading += String(
                format: " The rise is %.1f times the smallest change this series can resolve: %@.", effect,
                effect >= 3 ? "far beyond its noise" : "real but modest")
        }
        return InvestigationStep(
            step: "regression", tool: ToolName.getRegression.rawValue, input: input, shown: shown, reading: reading,
            choices: [], chosen: nil)
    }

    private func culpritsStep(_ context: inout Context) throws -> InvestigationStep {
        let input: JSONValue = ["regression": .number(Double(context.id)), "limit": 3]
        let ranked = try call(.rankRootCauses, input)
        context.candidates = Array(ranked.candidates.prefix(3))
        context.repository = ranked.repository
        context.chosen = context.candidates.first
        let shown = context.candidates.enumerated().map { index, c in
            String(
                format: "%d. %@ %@ by %@ (%.0f%% of the ranking): %@", index + 1, c.kind.rawValue,
                String(c.ref.prefix(12)), c.author, c.confidence * 100, c.message)
        }
        let reading: String
        if let top = context.candidates.first {
            let next = context.candidates.dropFirst().first
            reading =
                top.confidence >= 0.5
                ? String(
                    format: "A clear culprit: %@ holds %.0f%% of the ranking%@.", String(top.ref.prefix(12)),
                    top.confidence * 100, next.map { String(format: ", the next %.0f%%", $0.confidence * 100) } ?? "")
                : String(
                    format: "Ambiguous: the top candidate holds only %.0f%%%@; look at more than one.",
                    top.confidence * 100,
                    next.map { " and \(String($0.ref.prefix(12))) is close behind" } ?? "")
        } else {
            reading = "No candidate: import the service's changes and deploys (headroom changes import)."
        }
        return InvestigationStep(
            step: "culprits", tool: ToolName.rankRootCauses.rawValue, input: input, shown: shown, reading: reading,
            choices: context.candidates.map { "look at \($0.kind.rawValue) \($0.ref.prefix(12)) by \($0.author)" },
            chosen: nil)
    }

    private func changeStep(_ context: inout Context) throws -> InvestigationStep {
        guard let chosen = context.chosen, chosen.kind != .deploy else {
            return InvestigationStep(
                step: "change", tool: ToolName.getChange.rawValue, input: [:],
                shown: ["(no commit to read: \(context.chosen == nil ? "no candidate" : "the culprit is a deploy")"],
                reading: "Nothing to read at the code level.", choices: [], chosen: nil)
        }
        var input: [String: JSONValue] = ["sha": .string(chosen.ref)]
        if let repository = context.repository { input["repository"] = .string(repository) }
        let change = try call(.getChange, .object(input))
        let function = context.regression?.function ?? ""
        let touched = change.commit.functions.first {
            $0.name == function || function.hasSuffix("." + $0.name) || $0.name.hasSuffix("." + function)
        }
        var shown = [
            "\(change.commit.sha.prefix(12)) by \(change.commit.author): \(change.commit.message)",
            "changed: "
                + change.commit.functions.prefix(6).map { "\($0.name) (+\($0.linesAdded) −\($0.linesRemoved))" }
                .joined(separator: ", "),
        ]
        let added = touched?.addedText ?? []
        shown += added.prefix(5).map { "+ " + $0.trimmingCharacters(in: .whitespaces) }
        let reading: String
        if let touched {
            let cues = Self.cues(added)
            reading =
                "It changed `\(touched.name)`, the regressed function (+\(touched.linesAdded) −\(touched.linesRemoved))"
                + (cues.isEmpty ? "." : "; its added lines \(cues.joined(separator: ", ")).")
        } else {
            reading = "It does not change `\(function)` itself: its effect is indirect (a caller, a callee, data)."
        }
        return InvestigationStep(
            step: "change", tool: ToolName.getChange.rawValue, input: .object(input), shown: shown, reading: reading,
            choices: [], chosen: nil)
    }

    /// What added lines do, in words: the patterns the fix skills know.
    static func cues(_ lines: [String]) -> [String] {
        let text = lines.joined(separator: "\n")
        var cues: [String] = []
        if text.range(of: #"\b(logger|logging|log)\.(debug|info|trace)\("#, options: .regularExpression) != nil {
            cues.append("log at a level that is usually off (the arguments are still built)")
        }
        if text.range(
            of: #"re\.(compile|match|search|sub)\(|regexp\.(MustCompile|Compile)\("#, options: .regularExpression)
            != nil
        {
            cues.append("compile or run a regular expression")
        }
        if text.range(of: #"^\s*(for|while)\b"#, options: [.regularExpression]) != nil || text.contains("\nfor ")
            || text.contains("\n    for ")
        {
            cues.append("add a loop")
        }
        if text.range(of: #"json\.(dumps|loads)|deepcopy\("#, options: .regularExpression) != nil {
            cues.append("serialise or copy data")
        }
        return cues
    }

    private func profileStep(_ context: inout Context) throws -> InvestigationStep {
        guard let r = context.regression else {
            throw HeadroomError(.badInput, "the profile step needs the regression")
        }
        let input: JSONValue = [
            "service": .string(r.service), "mode": "diff", "before_to": .string(r.previousTimestamp),
            "after_from": .string(r.timestamp), "limit": 8,
        ]
        let diff = try call(.queryDiff, input)
        let moved = diff.functions.filter(\.significant)
        let shown = diff.functions.prefix(6).map {
            String(
                format: "%@: %@ → %@%@", $0.function, Self.percent($0.before), Self.percent($0.after),
                $0.significant ? " (significant)" : "")
        }
        let risers = moved.filter { $0.change > 0 }.map(\.function)
        let fallers = moved.filter { $0.change < 0 }.map(\.function)
        var reading =
            risers.first == r.function
            ? "The cost grew in `\(r.function)` itself."
            : risers.isEmpty
                ? "No function's share moved significantly over this window."
                : "The largest rise is in `\(risers[0])`, not `\(r.function)`: the cost sits in what it calls."
        if risers.count > 1 { reading += " Also rising: \(risers.dropFirst().prefix(3).joined(separator: ", "))." }
        if !fallers.isEmpty {
            reading +=
                " Falling: \(fallers.prefix(3).joined(separator: ", ")). Shares are relative, so others fall when one "
                + "rises; only a fall out of proportion with the rest means cost moved from there."
        }
        return InvestigationStep(
            step: "profile", tool: ToolName.queryProfile.rawValue, input: input, shown: shown, reading: reading,
            choices: [], chosen: nil)
    }

    private func fixStep(_ context: inout Context) throws -> InvestigationStep {
        let input: JSONValue = ["regression": .number(Double(context.id))]
        let patches = try call(.listPatches, input).patches
        let newestFirst = patches.sorted { $0.patch > $1.patch }
        let delivered = newestFirst.filter { $0.status == .delivered }
        let shown = newestFirst.prefix(4).map {
            "patch #\($0.patch) \($0.skill): \($0.status.rawValue)"
                + ($0.validation?.speedup.map { String(format: ", %.2f× faster", $0) } ?? "")
                + ($0.branch.map { " on \($0)" } ?? "")
        }
        let reading: String
        if let best = delivered.first {
            reading =
                "A validated fix is waiting: patch #\(best.patch) (\(best.skill)) on \(best.branch ?? "its branch"); "
                + "review it with `headroom review show \(best.patch)`, apply with `headroom review apply \(best.patch)`."
        } else if let last = newestFirst.first {
            reading =
                "No delivered fix: the last attempt (#\(last.patch), \(last.skill)) was \(last.status.rawValue)"
                + (last.reason.map { ": \($0)" } ?? ".") + " `headroom fix \(context.id)` tries again."
        } else {
            reading =
                "No fix yet: `headroom fix \(context.id)` attempts one (a skill's recipe, tests and an A/B benchmark)."
        }
        return InvestigationStep(
            step: "fix", tool: ToolName.listPatches.rawValue, input: input, shown: shown, reading: reading,
            choices: [], chosen: nil)
    }
}
