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
        public var status: String
        public var reason: String?
        public var skill: String?
        public var patchID: Int64?
        /// Every patch the agent made on the way (refused ones included).
        public var patchIDs: [Int64]
        public var final: JSONValue?
        public var transcript: [TranscriptStep]

        public init(
            status: String, reason: String?, skill: String?, patchID: Int64?, patchIDs: [Int64], final: JSONValue?,
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
            let regression = try log.call("get_regression", ["id": .number(Double(id))])
            let ranked = try log.call("rank_root_causes", ["regression": .number(Double(id)), "limit": 5])
            let candidates = ranked["candidates"]?.arrayValue ?? []
            guard let culprit = candidates.first(where: { $0["kind"]?.stringValue != "deploy" }),
                let sha = culprit["ref"]?.stringValue
            else {
                return log.finish(
                    "refused", "no commit or configuration change ranks as a culprit for regression \(id)")
            }
            guard let repository = ranked["repository"]?.stringValue else {
                return log.finish(
                    "refused",
                    "the culprit \(sha.prefix(12)) belongs to no imported repository; run `headroom changes import`")
            }
            let function = regression["function"]?.stringValue ?? ""
            let file = regression["file"]?.stringValue
            guard let target = Self.target(function: function, file: file, culprit: culprit) else {
                return log.finish(
                    "refused",
                    "the culprit \(sha.prefix(12)) changed no function and the profile gives no file for `\(function)`")
            }
            log.decide(
                "target `\(target.function)` in \(target.path) at the culprit \(sha.prefix(12)) by \(culprit["author"]?.stringValue ?? "?")"
            )
            let change = try log.call("get_change", ["sha": .string(sha), "repository": .string(repository)])
            let added = (change["functions"]?.arrayValue ?? [])
                .filter { Self.short($0["name"]?.stringValue ?? "") == Self.short(target.function) }
                .flatMap { $0["added_text"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
            var rising: [String] = []
            if let before = regression["previous_timestamp"]?.stringValue,
                let after = regression["timestamp"]?.stringValue,
                let service = regression["service"]?.stringValue
            {
                let diff = try? log.call(
                    "query_profile",
                    [
                        "service": .string(service), "mode": "diff", "by": "total",
                        "before_to": .string(before), "after_from": .string(after), "limit": 25,
                    ])
                rising = (diff?["functions"]?.arrayValue ?? []).filter { ($0["change"]?.doubleValue ?? 0) > 0 }
                    .map { "\($0["function"]?.stringValue ?? "") \($0["file"]?.stringValue ?? "")" }
            }
            let ranking = rankSkills(kind: "regression", path: target.path, rising: rising, added: added)
            log.decide(
                "skills by metadata match: " + ranking.map { "\($0.skill.name) (\($0.why))" }.joined(separator: "; "))
            return try attempt(
                ranking.map(\.skill), kind: "regression", id: id, repository: repository,
                path: target.path, function: target.function, culprit: sha, log: &log)
        } catch {
            return log.finish("failed", HeadroomError.oneLine(error))
        }
    }

    /// Resolve an opportunity: its skill (from the pattern), the skill's docs, patch, validation, delivery.
    public func resolve(opportunity id: Int64, progress: @escaping @Sendable (String) -> Void = { _ in }) -> Outcome {
        var log = Transcript(registry: registry, progress: progress)
        do {
            let listed = try log.call("list_opportunities", ["id": .number(Double(id))])
            guard let opportunity = listed["opportunities"]?.arrayValue?.first else {
                return log.finish("failed", "no opportunity \(id)")
            }
            let pattern = opportunity["pattern"]?.stringValue ?? ""
            let path = opportunity["file"]?.stringValue ?? ""
            let skills = catalog.skills
                .filter { $0.applies(to: "opportunity") && $0.patterns.contains(pattern) && $0.supports(path: path) }
                .sorted { $0.priority > $1.priority }
            guard !skills.isEmpty else {
                return log.finish(
                    "refused",
                    "no skill resolves pattern `\(pattern)` in \(path) yet; "
                        + (opportunity["detail"]?.stringValue ?? ""))
            }
            log.decide(
                "pattern `\(pattern)` → skill \(skills.map(\.name).joined(separator: ", ")) (metadata headroom-patterns)"
            )
            return try attempt(
                skills, kind: "opportunity", id: id,
                repository: opportunity["repository"]?.stringValue ?? "", path: path,
                function: opportunity["function"]?.stringValue ?? "", culprit: nil, log: &log)
        } catch {
            return log.finish("failed", HeadroomError.oneLine(error))
        }
    }

    /// Tries the skills in order; the first delivered patch wins. Refusals and failed validations are recorded and
    /// the next skill is tried.
    func attempt(
        _ skills: [Skill], kind: String, id: Int64, repository: String, path: String, function: String,
        culprit: String?, log: inout Transcript
    ) throws -> Outcome {
        var reasons: [String] = []
        var failed = false
        for skill in skills {
            guard skill.recipe != nil else {
                reasons.append("\(skill.name): no offline recipe")
                continue
            }
            _ = try log.call("read_docs", ["skill": .string(skill.name)], keep: false)
            var arguments: [String: JSONValue] = [
                "skill": .string(skill.name), "kind": .string(kind), "target": .number(Double(id)),
                "repository": .string(repository), "path": .string(path), "function": .string(function),
            ]
            if let culprit { arguments["culprit"] = .string(culprit) }
            let generated = try log.call("generate_patch", .object(arguments))
            guard let patch = generated["patch"]?.doubleValue else {
                throw HeadroomError(.process, "generate_patch returned no patch id")
            }
            log.patches.append(Int64(patch))
            guard generated["status"]?.stringValue == "proposed" else {
                let why = generated["reason"]?.stringValue ?? "refused"
                log.decide("\(skill.name) refused: \(why)")
                reasons.append("\(skill.name): \(why)")
                continue
            }
            var validate = validation
            validate["patch"] = .number(patch)
            let validated = try log.call("validate_patch", .object(validate))
            guard validated["status"]?.stringValue == "proposed", validated["significant"]?.boolValue == true else {
                let why = validated["reason"]?.stringValue ?? "not validated"
                failed = failed || validated["status"]?.stringValue == "failed"
                log.decide("\(skill.name) patch #\(Int(patch)) not surfaced: \(why)")
                reasons.append("\(skill.name): \(why)")
                continue
            }
            let delivered = try log.call("deliver_patch", ["patch": .number(patch)])
            log.decide("delivered \(skill.name) patch #\(Int(patch)) on \(delivered["branch"]?.stringValue ?? "?")")
            var outcome = log.finish("delivered", nil)
            outcome.skill = skill.name
            outcome.patchID = Int64(patch)
            outcome.final = delivered
            return outcome
        }
        var outcome = log.finish(
            failed ? "failed" : "refused",
            reasons.isEmpty ? "no skill matched" : reasons.joined(separator: " | "))
        outcome.skill = skills.first?.name
        return outcome
    }

    /// Skills for a regression, best match first: rising frames that match `headroom-frames` (+3), the culprit's
    /// added lines that match `headroom-code` (+2). Skills with no match are dropped; fallback skills go last.
    public func rankSkills(kind: String, path: String, rising: [String], added: [String])
        -> [(skill: Skill, score: Int, why: String)]
    {
        var scored: [(skill: Skill, score: Int, why: String)] = []
        for skill in catalog.skills where skill.applies(to: kind) && skill.supports(path: path) {
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
    static func target(function: String, file: String?, culprit: JSONValue) -> (path: String, function: String)? {
        let changed = culprit["functions"]?.arrayValue ?? []
        let match = changed.first { short($0["name"]?.stringValue ?? "") == short(function) } ?? changed.first
        if let match, let name = match["name"]?.stringValue, let path = match["file"]?.stringValue {
            return (path, name)
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
                    kind: "tool", tool: tool, input: input, output: recorded, note: "ok",
                    milliseconds: Date().timeIntervalSince(started) * 1000))
            return output
        } catch {
            steps.append(
                TranscriptStep(
                    kind: "tool", tool: tool, input: input,
                    note: "error: \(HeadroomError.oneLine(error))",
                    milliseconds: Date().timeIntervalSince(started) * 1000))
            throw error
        }
    }

    mutating func decide(_ note: String) {
        progress(note)
        steps.append(TranscriptStep(kind: "decision", note: note))
    }

    mutating func finish(_ status: String, _ reason: String?) -> RuleBrain.Outcome {
        steps.append(TranscriptStep(kind: "result", note: status + (reason.map { ": \($0)" } ?? "")))
        return RuleBrain.Outcome(
            status: status, reason: reason, skill: nil, patchID: patches.last, patchIDs: patches,
            final: nil, transcript: steps)
    }
}
