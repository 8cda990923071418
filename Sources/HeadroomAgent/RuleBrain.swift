import Foundation
import HeadroomCore
import HeadroomSkills

/// The offline agent: matches a regression or an opportunity to skills through their metadata, gathers context by
/// calling tools, and runs each candidate skill's recipe → guardrails → validation → delivery through the tool
/// registry, stopping at the first delivered fix. Every call and decision goes into the transcript.
public struct RuleBrain: Sendable {
    public var registry: ToolRegistry
    public var catalog: SkillCatalog
    /// Arguments passed to `validate_patch` (runs; commands are never arguments).
    public var validation: [String: JSONValue]

    public init(registry: ToolRegistry, catalog: SkillCatalog, validation: [String: JSONValue] = [:]) {
        self.registry = registry
        self.catalog = catalog
        self.validation = validation
    }

    /// What the agent did: the final status, the patch it delivered or the last one it tried, and why.
    public struct Outcome: Sendable {
        /// How a run ended.
        public enum Status: String, Sendable, Codable {
            /// A validated patch is on its branch.
            case delivered
            /// No skill could make a patch that passes the guardrails (or none applies).
            case refused
            /// Something broke on the way: a tool error, or tests that failed.
            case failed
        }

        public var status: Status
        public var reason: String?
        public var skill: String?
        public var patchID: Int64?
        /// Every patch the agent made on the way (refused ones included).
        public var patchIDs: [Int64]
        public var final: JSONValue?
        public var transcript: [TranscriptStep]

        public init(
            status: Status, reason: String?, skill: String?, patchID: Int64?, patchIDs: [Int64], final: JSONValue?,
            transcript: [TranscriptStep]
        ) {
            self.status = status
            self.reason = reason
            self.skill = skill
            self.patchID = patchID
            self.patchIDs = patchIDs
            self.final = final
            self.transcript = transcript
        }
    }

    /// Fix a detected regression: culprit, rising frames, skill choice, patch, validation, delivery.
    public func fix(regression id: Int64, progress: @escaping @Sendable (String) -> Void = { _ in }) -> Outcome {
        var log = Transcript(registry: registry, progress: progress)
        do {
            let regression = try log.call(.getRegression, ["id": .number(Double(id))]).regression
            let ranked = try log.call(.rankRootCauses, ["regression": .number(Double(id)), "limit": 5])
            guard let culprit = ranked.candidates.first(where: { $0.kind != .deploy })
            else {
                return log.finish(
                    .refused, "no commit or configuration change ranks as a culprit for regression \(id)")
            }
            let sha = culprit.ref
            guard let repository = ranked.repository else {
                return log.finish(
                    .refused,
                    "the culprit \(sha.prefix(12)) belongs to no imported repository; run `headroom changes import`")
            }
            let function = regression.function
            guard let target = Self.target(function: function, file: regression.file, culprit: culprit) else {
                return log.finish(
                    .refused,
                    "the culprit \(sha.prefix(12)) changed no function and the profile gives no file for `\(function)`")
            }
            log.decide(
                "target `\(target.function)` in \(target.path) at the culprit \(sha.prefix(12)) by \(culprit.author)")
            let change = try log.call(.getChange, ["sha": .string(sha), "repository": .string(repository)])
            let added = change.commit.functions
                .filter { Self.short($0.name) == Self.short(target.function) }
                .flatMap(\.addedText)
            let diff = try? log.call(
                .queryDiff,
                [
                    "service": .string(regression.service), "mode": "diff", "by": "total",
                    "before_to": .string(regression.previousTimestamp), "after_from": .string(regression.timestamp),
                    "limit": 25,
                ])
            let rising = (diff?.functions ?? []).filter { $0.change > 0 }.map { "\($0.function) \($0.file ?? "")" }
            let ranking = rankSkills(kind: .regression, path: target.path, rising: rising, added: added)
            log.decide(
                "skills by metadata match: " + ranking.map { "\($0.skill.name) (\($0.why))" }.joined(separator: "; "))
            return try attempt(
                ranking.map(\.skill), kind: .regression, id: id, repository: repository,
                path: target.path, function: target.function, culprit: sha, log: &log)
        } catch {
            return log.finish(.failed, HeadroomError.oneLine(error))
        }
    }

    /// Resolve an opportunity: its skill (from the pattern), the skill's docs, patch, validation, delivery.
    public func resolve(opportunity id: Int64, progress: @escaping @Sendable (String) -> Void = { _ in }) -> Outcome {
        var log = Transcript(registry: registry, progress: progress)
        do {
            let listed = try log.call(.listOpportunities, ["id": .number(Double(id))])
            guard let opportunity = listed.opportunities.first else {
                return log.finish(.failed, "no opportunity \(id)")
            }
            let pattern = opportunity.pattern
            let path = opportunity.file
            let skills = catalog.skills
                .filter {
                    $0.applies(to: PatchRecord.Kind.opportunity.rawValue) && $0.patterns.contains(pattern)
                        && $0.supports(path: path)
                }
                .sorted { $0.priority > $1.priority }
            guard !skills.isEmpty else {
                return log.finish(
                    .refused, "no skill resolves pattern `\(pattern)` in \(path) yet; " + opportunity.detail)
            }
            log.decide(
                "pattern `\(pattern)` → skill \(skills.map(\.name).joined(separator: ", ")) (metadata headroom-patterns)"
            )
            return try attempt(
                skills, kind: .opportunity, id: id,
                repository: opportunity.repository, path: path, function: opportunity.function, culprit: nil,
                log: &log)
        } catch {
            return log.finish(.failed, HeadroomError.oneLine(error))
        }
    }

    /// Tries the skills in order; the first delivered patch wins. Refusals and failed validations are recorded and
    /// the next skill is tried.
    func attempt(
        _ skills: [Skill], kind: PatchRecord.Kind, id: Int64, repository: String, path: String, function: String,
        culprit: String?, log: inout Transcript
    ) throws -> Outcome {
        var reasons: [String] = []
        var failed = false
        for skill in skills {
            guard skill.recipe != nil else {
                reasons.append("\(skill.name): no offline recipe")
                continue
            }
            _ = try log.call(.readDocs, ["skill": .string(skill.name)], keep: false)
            var arguments: [String: JSONValue] = [
                "skill": .string(skill.name), "kind": .string(kind.rawValue), "target": .number(Double(id)),
                "repository": .string(repository), "path": .string(path), "function": .string(function),
            ]
            if let culprit { arguments["culprit"] = .string(culprit) }
            let generated = try log.call(.generatePatch, .object(arguments))
            let patch = generated.patch
            log.patches.append(patch)
            guard generated.status == .proposed else {
                let why = generated.reason ?? "refused"
                log.decide("\(skill.name) refused: \(why)")
                reasons.append("\(skill.name): \(why)")
                continue
            }
            var validate = validation
            validate["patch"] = .number(Double(patch))
            let validated = try log.call(.validatePatch, .object(validate))
            guard validated.status == .proposed, validated.significant else {
                let why = validated.reason ?? "not validated"
                failed = failed || validated.status == .failed
                log.decide("\(skill.name) patch #\(patch) not surfaced: \(why)")
                reasons.append("\(skill.name): \(why)")
                continue
            }
            let delivered = try log.call(.deliverPatch, ["patch": .number(Double(patch))])
            log.decide("delivered \(skill.name) patch #\(patch) on \(delivered.branch ?? "?")")
            var outcome = log.finish(.delivered, nil)
            outcome.skill = skill.name
            outcome.patchID = patch
            outcome.final = try JSONValue(encoding: delivered)
            return outcome
        }
        var outcome = log.finish(
            failed ? .failed : .refused,
            reasons.isEmpty ? "no skill matched" : reasons.joined(separator: " | "))
        outcome.skill = skills.first?.name
        return outcome
    }

    /// Skills for a regression, best match first: rising frames that match `headroom-frames` (+3), the culprit's
    /// added lines that match `headroom-code` (+2). Skills with no match are dropped; fallback skills go last.
    public func rankSkills(kind: PatchRecord.Kind, path: String, rising: [String], added: [String])
        -> [(skill: Skill, score: Int, why: String)]
    {
        var scored: [(skill: Skill, score: Int, why: String)] = []
        for skill in catalog.skills where skill.applies(to: kind.rawValue) && skill.supports(path: path) {
            var score = 0
            var why: [String] = []
            if let frame = skill.frames.first(where: { pattern in rising.contains { $0.contains(pattern) } }) {
                score += 3
                why.append("rising frames match `\(frame)`")
            }
            if let code = skill.code.first(where: { pattern in
                added.contains { $0.range(of: pattern, options: .regularExpression) != nil }
            }) {
                score += 2
                why.append("added code matches `\(code)`")
            }
            if skill.fallback {
                scored.append((skill, -1, "fallback"))
            } else if score > 0 {
                scored.append((skill, score, why.joined(separator: ", ")))
            }
        }
        return scored.sorted { ($0.score, $0.skill.priority) > ($1.score, $1.skill.priority) }
    }

    static func short(_ name: String) -> String { name.split(separator: ".").last.map(String.init) ?? name }

    /// The culprit's changed function that is the regressed one, else its first changed function, else the
    /// regressed function in the profile's file.
    static func target(function: String, file: String?, culprit: RootCauseReport.Candidate) -> (
        path: String, function: String
    )? {
        let changed = culprit.functions
        if let match = changed.first(where: { short($0.name) == short(function) }) ?? changed.first {
            return (match.file, match.name)
        }
        return file.map { ($0, function) }
    }
}

/// The running record of an agent's work.
struct Transcript {
    let registry: ToolRegistry
    let progress: @Sendable (String) -> Void
    var steps: [TranscriptStep] = []
    var patches: [Int64] = []

    init(registry: ToolRegistry, progress: @escaping @Sendable (String) -> Void) {
        self.registry = registry
        self.progress = progress
    }

    /// Calls a tool, records input and output, and reads the answer as the tool's declared type.
    mutating func call<Output>(_ signature: ToolSignature<Output>, _ input: JSONValue, keep: Bool = true) throws
        -> Output
    {
        try ToolRegistry.decode(try call(signature.name.rawValue, input, keep: keep), as: signature)
    }

    /// Calls a tool and records input and output (`keep: false`, or a large output, records a digest).
    mutating func call(_ tool: String, _ input: JSONValue, keep: Bool = true) throws -> JSONValue {
        progress("tool \(tool) \(input.description.prefix(120))")
        let started = Date()
        do {
            let output = try registry.call(tool, input)
            let text = output.description
            let recorded: JSONValue =
                keep && text.count <= 12_000
                ? output
                : [
                    "digest": .string(String(text.prefix(400)) + (text.count > 400 ? "…" : "")),
                    "characters": .number(Double(text.count)),
                ]
            steps.append(
                TranscriptStep(
                    kind: .tool, tool: tool, input: input, output: recorded, note: "ok",
                    milliseconds: Date().timeIntervalSince(started) * 1000))
            return output
        } catch {
            steps.append(
                TranscriptStep(
                    kind: .tool, tool: tool, input: input,
                    note: "error: \(HeadroomError.oneLine(error))",
                    milliseconds: Date().timeIntervalSince(started) * 1000))
            throw error
        }
    }

    mutating func decide(_ note: String) {
        progress(note)
        steps.append(TranscriptStep(kind: .decision, note: note))
    }

    mutating func finish(_ status: RuleBrain.Outcome.Status, _ reason: String?) -> RuleBrain.Outcome {
        steps.append(TranscriptStep(kind: .result, note: status.rawValue + (reason.map { ": \($0)" } ?? "")))
        return RuleBrain.Outcome(
            status: status, reason: reason, skill: nil, patchID: patches.last, patchIDs: patches,
            final: nil, transcript: steps)
    }
}
