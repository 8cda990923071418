import Foundation
import HeadroomAgent
import HeadroomCore
import HeadroomLLM
import HeadroomSkills
import HeadroomStore
import Logging

/// Runs an agent over the tool registry for `fix` and `resolve` — the offline rule brain, or the LLM brain when one
/// is configured — and stores its transcript with every patch it made (or, when it made none, with a refused record
/// so `review show` can still print why).
public struct AgentService: Sendable {
    /// The tools the agent calls.
    public var context: ToolContext
    /// `validate_patch` arguments: test, bench, runs.
    public var validation: [String: JSONValue]
    /// The LLM to use instead of the rule brain.
    public var llm: LLMConfiguration?

    /// Each run logs its outcome at info (target, brain, status, skill, patch, speed-up, time) and reaped leftovers at
    /// notice.
    public var logger: Logger = EngineLog.disabled("headroom.agent")

    /// An agent over `context`; `validation` goes to every `validate_patch` call; with `llm`, the LLM brain instead of the rule brain.
    public init(context: ToolContext, validation: [String: JSONValue] = [:], llm: LLMConfiguration? = nil) {
        self.context = context
        self.validation = validation
        self.llm = llm
    }

    /// The result in the CLI's JSON shape (ARCHITECTURE: `fix ID` / `resolve ID`).
    public struct Result: Sendable, Encodable {
        /// The delivered patch's validation.
        public struct Validation: Sendable, Encodable {
            /// Whether the tests passed before and after.
            public var tests_passed: Bool
            /// Median before / median after.
            public var speedup: Double
            /// The speed-up's 95% interval.
            public var ci95: [Double]
            /// The Mann–Whitney p-value.
            public var p_value: Double
            /// Timed runs per side.
            public var runs: Int
        }
        /// How the run ended.
        public var status: RuleBrain.Outcome.Status
        /// Why nothing was delivered.
        public var reason: String?
        /// The skill of the patch delivered (or last tried).
        public var skill: String?
        /// The delivered patch's branch.
        public var branch: String?
        /// The delivered patch's PR description.
        public var pr_description: String?
        /// The delivered patch's validation.
        public var validation: Validation?
        /// The patch delivered, or the last one tried.
        public var patch: Int64?
        /// Seconds the run took.
        public var seconds: Double
    }

    /// Fixes regression `id`: culprit, skill, patch, tests, A/B benchmark, branch.
    public func fix(regression id: Int64, progress: @escaping @Sendable (String) -> Void = { _ in }) async throws
        -> Result
    {
        _ = try context.store.regression(id: id)
        return try await run(
            kind: .regression, id: id, progress: progress,
            rules: { $0.fix(regression: id, progress: progress) },
            llm: { [validation] in await $0.fix(regression: id, validation: validation) })
    }

    /// Resolves opportunity `id`: its skill, patch, tests, A/B benchmark, branch.
    public func resolve(opportunity id: Int64, progress: @escaping @Sendable (String) -> Void = { _ in }) async throws
        -> Result
    {
        _ = try context.store.opportunity(id: id)
        return try await run(
            kind: .opportunity, id: id, progress: progress,
            rules: { $0.resolve(opportunity: id, progress: progress) },
            llm: { [validation] in await $0.resolve(opportunity: id, validation: validation) })
    }

    private func run(
        kind: PatchRecord.Kind, id: Int64, progress: @escaping @Sendable (String) -> Void,
        rules: (RuleBrain) -> RuleBrain.Outcome,
        llm run: @escaping @Sendable (LLMAgent) async -> LLMAgent.Run
    ) async throws -> Result {
        let started = Date()
        let store = context.store
        // What an earlier, killed run left (worktrees, its test processes, patches it held) goes first.
        let reaped = Janitor(store: store).clean().filter(\.removed)
        if !reaped.isEmpty {
            logger.notice(
                "cleaned up after an interrupted run",
                metadata: ["removed": "\(reaped.map { "\($0.kind.rawValue) \($0.what)" }.joined(separator: ", "))"])
            progress(
                "cleaned up after an interrupted run: "
                    + reaped.map { "\($0.kind.rawValue) \($0.what)" }.joined(separator: ", ")
            )
        }
        // Interrupted, this run's patches end cancelled; finished, they are released.
        let interruption = Janitor.cancelOnInterrupt(store: store)
        defer {
            ActiveWork.shared.removeHandler(interruption)
            try? store.releasePatches(owner: ProcessLease.current)
        }
        var context = self.context
        context.holdsNewPatches = true
        let registry = HeadroomTools.registry(context)
        let catalog = try context.catalog()
        let outcome: RuleBrain.Outcome
        if let llm {
            let agent = LLMAgent(
                configuration: llm, registry: registry, catalog: catalog,
                redactor: Self.redactor(store: context.store), progress: progress)
            let result = await run(agent)
            let delivered = try result.delivered.map { try context.store.patch(id: $0) }
            outcome = RuleBrain.Outcome(
                status: result.status == .delivered
                    ? .delivered : (result.status == .refused || result.status == .answered ? .refused : .failed),
                reason: result.status == .delivered ? nil : (result.reason ?? "the model delivered no patch"),
                skill: delivered?.skill, patchID: result.delivered ?? result.patchIDs.last, patchIDs: result.patchIDs,
                final: result.answer.map { .string($0) }, transcript: result.transcript)
        } else {
            outcome = rules(RuleBrain(registry: registry, catalog: catalog, validation: validation))
        }
        // Stored transcripts hold what the tools returned (code, commit messages): never a secret, whichever brain.
        let redactor = Self.redactor(store: store)
        let transcript = outcome.transcript.map { redactor.redact($0) }
        var last: PatchRecord?
        for patchID in outcome.patchIDs {
            var record = try store.patch(id: patchID)
            record.transcript = transcript
            if patchID == outcome.patchID, record.status == .delivered {
                record.seconds = Date().timeIntervalSince(started)
            }
            // A patch left proposed was never surfaced (a later step stopped): record why.
            if record.status == .proposed {
                record.status = .refused
                record.reason = record.reason ?? outcome.reason
            }
            last = try store.savePatch(record)
        }
        if outcome.patchIDs.isEmpty {
            last = try store.savePatch(
                PatchRecord(
                    kind: kind, regressionID: kind == .regression ? id : nil,
                    opportunityID: kind == .opportunity ? id : nil,
                    skill: outcome.skill ?? "none", repository: "", branch: nil, baseCommit: "", diff: "",
                    prDescription: nil,
                    status: outcome.status == .failed ? .failed : .refused, reason: outcome.reason, validation: nil,
                    transcript: transcript))
        }
        let chosen = try outcome.patchID.map { try store.patch(id: $0) } ?? last
        let v = outcome.status == .delivered ? chosen?.validation : nil
        var metadata: Logger.Metadata = [
            "target": "\(kind.rawValue) \(id)", "brain": "\(llm.map { "llm \($0.model)" } ?? "rules")",
            "status": "\(outcome.status.rawValue)", "skill": "\(outcome.skill ?? chosen?.skill ?? "none")",
            "seconds": "\(String(format: "%.1f", Date().timeIntervalSince(started)))",
        ]
        if let patch = chosen?.id { metadata["patch"] = "\(patch)" }
        if let v { metadata["speedup"] = "\(String(format: "%.2f", v.speedup))" }
        if let reason = outcome.reason { metadata["reason"] = "\(reason)" }
        logger.info("agent run", metadata: metadata)
        return Result(
            status: outcome.status, reason: outcome.reason, skill: outcome.skill ?? chosen?.skill,
            branch: outcome.status == .delivered ? chosen?.branch : nil,
            pr_description: outcome.status == .delivered ? chosen?.prDescription : nil,
            validation: v.map {
                .init(
                    tests_passed: $0.testsPassed, speedup: $0.speedup, ci95: $0.ci95, p_value: $0.pValue,
                    runs: $0.beforeSeconds.count)
            },
            patch: chosen?.id, seconds: Date().timeIntervalSince(started))
    }
}

extension AgentService {
    /// Secrets never sent to a model: secret-named environment variables and every imported repository's `.env`
    /// values.
    public static func redactor(store: Store) -> Redactor {
        var redactor = Redactor()
        redactor.addEnvironment()
        for repository in (try? store.repositories()) ?? [] { redactor.addDotEnv(repository: repository) }
        return redactor
    }
}
