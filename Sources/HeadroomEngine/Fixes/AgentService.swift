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
    /// The store, the skills and the operator's settings the run works with.
    public var fixing: FixContext
    /// The tools the agent calls, over a context (the run's holds the patches it makes).
    public var registry: @Sendable (FixContext) -> ToolRegistry
    /// `validate_patch` arguments: test, bench, runs.
    public var validation: [String: JSONValue]
    /// The LLM to use instead of the rule brain.
    public var llm: LLMConfiguration?

    /// Each run logs its outcome at info (target, brain, status, skill, patch, speed-up, time) and reaped leftovers at
    /// notice.
    public var logger: Logger = EngineLog.disabled("headroom.agent")

    /// An agent over the SQLite store's tools; `validation` goes to every `validate_patch` call; with `llm`, the LLM
    /// brain instead of the rule brain.
    public init(context: ToolContext, validation: [String: JSONValue] = [:], llm: LLMConfiguration? = nil) {
        self.init(
            fixing: context.fixing,
            registry: { fixing in
                var tools = context
                tools.holdsNewPatches = fixing.holdsNewPatches
                return HeadroomTools.registry(tools)
            }, validation: validation, llm: llm)
    }

    /// An agent over any engine's store and the tools `registry` gives (team mode's, over the shared database).
    public init(
        fixing: FixContext, registry: @escaping @Sendable (FixContext) -> ToolRegistry,
        validation: [String: JSONValue] = [:], llm: LLMConfiguration? = nil
    ) {
        self.fixing = fixing
        self.registry = registry
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
        _ = try fixing.store.regression(id: id)
        return try await run(
            kind: .regression, id: id, progress: progress,
            rules: { $0.fix(regression: id, progress: progress) },
            llm: { [validation] in await $0.fix(regression: id, validation: validation) })
    }

    /// Resolves opportunity `id`: its skill, patch, tests, A/B benchmark, branch.
    public func resolve(opportunity id: Int64, progress: @escaping @Sendable (String) -> Void = { _ in }) async throws
        -> Result
    {
        _ = try fixing.store.opportunity(id: id)
        return try await run(
            kind: .opportunity, id: id, progress: progress,
            rules: { $0.resolve(opportunity: id, progress: progress) },
            llm: { [validation] in await $0.resolve(opportunity: id, validation: validation) })
    }

    private func run(
        kind: PatchRecord.Kind, id: Int64, progress: @escaping @Sendable (String) -> Void,
        rules: @escaping @Sendable (RuleBrain) -> RuleBrain.Outcome,
        llm run: @escaping @Sendable (LLMAgent) async -> LLMAgent.Run
    ) async throws -> Result {
        // Every store call and the rule brain's tool calls run off the cooperative pool: team mode's store waits for
        // PostgreSQL (`AsyncBridge.blocking`), which a task must never do.
        let started = Date()
        let store = fixing.store
        // What an earlier, killed run left (worktrees, its test processes, patches it held) goes first.
        let reaped = try await AsyncBridge.offPool { Janitor(store: store).clean().filter(\.removed) }
        if !reaped.isEmpty {
            logger.notice(
                "cleaned up after an interrupted run",
                metadata: ["removed": "\(reaped.map { "\($0.kind.rawValue) \($0.what)" }.joined(separator: ", "))"])
            progress(
                "cleaned up after an interrupted run: "
                    + reaped.map { "\($0.kind.rawValue) \($0.what)" }.joined(separator: ", ")
            )
        }
        // Interrupted, this run's patches end cancelled; finished (or failed), they are released.
        let interruption = Janitor.cancelOnInterrupt(store: store)
        let ended: Swift.Result<Result, any Error>
        do {
            ended = .success(
                try await attempt(
                    kind: kind, id: id, started: started, progress: progress, rules: rules, llm: run))
        } catch {
            ended = .failure(error)
        }
        ActiveWork.shared.removeHandler(interruption)
        _ = try? await AsyncBridge.offPool { try store.releasePatches(owner: ProcessLease.current) }
        return try ended.get()
    }

    /// The brain's run and what it left: each patch it made gets the redacted transcript.
    private func attempt(
        kind: PatchRecord.Kind, id: Int64, started: Date, progress: @escaping @Sendable (String) -> Void,
        rules: @escaping @Sendable (RuleBrain) -> RuleBrain.Outcome,
        llm run: @escaping @Sendable (LLMAgent) async -> LLMAgent.Run
    ) async throws -> Result {
        let store = fixing.store
        var context = fixing
        context.holdsNewPatches = true
        let registry = self.registry(context)
        let catalog = try context.catalog()
        let outcome: RuleBrain.Outcome
        if let llm {
            let agent = LLMAgent(
                configuration: llm, registry: registry, catalog: catalog,
                redactor: try await AsyncBridge.offPool { Self.redactor(store: store) }, progress: progress)
            let result = await run(agent)
            let delivered = try await AsyncBridge.offPool { try result.delivered.map { try store.patch(id: $0) } }
            outcome = RuleBrain.Outcome(
                status: result.status == .delivered
                    ? .delivered : (result.status == .refused || result.status == .answered ? .refused : .failed),
                reason: result.status == .delivered ? nil : (result.reason ?? "the model delivered no patch"),
                skill: delivered?.skill, patchID: result.delivered ?? result.patchIDs.last, patchIDs: result.patchIDs,
                final: result.answer.map { .string($0) }, transcript: result.transcript)
        } else {
            let validation = self.validation
            outcome = try await AsyncBridge.offPool {
                rules(RuleBrain(registry: registry, catalog: catalog, validation: validation))
            }
        }
        let seconds = Date().timeIntervalSince(started)
        let chosen = try await AsyncBridge.offPool {
            try Self.record(outcome, kind: kind, id: id, seconds: seconds, store: store)
        }
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

    /// Gives each patch of the run the redacted transcript (a patch left proposed was never surfaced: refused with
    /// the reason; the delivered one gets the run's time), or records a refusal when none was made; returns the
    /// patch the run chose (else the last one saved).
    private static func record(
        _ outcome: RuleBrain.Outcome, kind: PatchRecord.Kind, id: Int64, seconds: Double, store: any FixStore
    ) throws -> PatchRecord? {
        // Stored transcripts hold what the tools returned (code, commit messages): never a secret, whichever brain.
        let redactor = Self.redactor(store: store)
        let transcript = outcome.transcript.map { redactor.redact($0) }
        var last: PatchRecord?
        for patchID in outcome.patchIDs {
            var record = try store.patch(id: patchID)
            record.transcript = transcript
            if patchID == outcome.patchID, record.status == .delivered {
                record.seconds = seconds
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
        return try outcome.patchID.map { try store.patch(id: $0) } ?? last
    }
}

extension AgentService {
    /// Secrets never sent to a model: secret-named environment variables and every imported or registered
    /// repository's `.env` values.
    public static func redactor(store: any FixStore) -> Redactor {
        var redactor = Redactor()
        redactor.addEnvironment()
        let imported = (try? store.repositories()) ?? []
        let registered = ((try? store.registeredRepositories()) ?? []).map(\.root)
        for repository in Set(imported + registered).sorted() { redactor.addDotEnv(repository: repository) }
        return redactor
    }
}
