import Foundation
import HeadroomCore
import HeadroomSkills

/// The LLM brain: a provider-neutral tool-calling loop over the registry.
///
/// - Progressive disclosure: the system prompt names the skills with their descriptions only; the model reads a
///   skill's full SKILL.md with `read_docs` when it picks one.
/// - Budgets: at most `maxSteps` model calls and `tokenBudget` tokens; each HTTP request has a timeout and is
///   retried with backoff on 429/5xx (see `LLMHTTP`).
/// - Everything sent to the model passes through the `Redactor`; the stored transcript is the redacted text.
/// - The model only gets the tools its task needs (read-only for questions; plus the patch tools for fixes), never
///   a destructive one. Its patches go through `generate_patch` / `propose_patch` (guardrails) and
///   `validate_patch` (tests, A/B benchmark); only what `deliver_patch` accepted counts as delivered.
public struct LLMAgent: Sendable {
    public var configuration: LLMConfiguration
    public var registry: ToolRegistry
    public var catalog: SkillCatalog?
    public var redactor: Redactor
    public var provider: any ChatProvider
    public var progress: @Sendable (String) -> Void

    public init(
        configuration: LLMConfiguration, registry: ToolRegistry, catalog: SkillCatalog?, redactor: Redactor? = nil,
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        var redactor = redactor ?? Redactor()
        redactor.add([configuration.apiKey].compactMap { $0 })
        self.configuration = configuration
        self.registry = registry
        self.catalog = catalog
        self.redactor = redactor
        self.progress = progress
        var http = LLMHTTP(
            timeout: configuration.requestTimeout, retries: configuration.retries, backoff: configuration.backoff,
            redactor: redactor, connectTimeout: configuration.connectTimeout,
            deadline: .now + .milliseconds(Int64(configuration.totalTimeout * 1000)),
            totalTimeout: configuration.totalTimeout)
        http.onRetry = { attempt, why, wait in
            progress("model server: \(why); retry \(attempt) in \(String(format: "%.1f", wait)) s")
        }
        switch configuration.provider {
        case .openai: provider = OpenAIProvider(configuration: configuration, http: http)
        case .anthropic: provider = AnthropicProvider(configuration: configuration, http: http)
        }
    }

    /// What one run did.
    public struct Run: Sendable {
        /// How a run ended.
        public enum Status: String, Sendable, Codable {
            /// The model answered a question (and made no patch).
            case answered
            /// A patch the model made was validated and delivered.
            case delivered
            /// The model made patches and none was delivered.
            case refused
            /// The model server or the model's tool calls failed.
            case failed
            /// The step or token budget ran out first.
            case budget
        }

        public var status: Status
        public var answer: String?
        public var reason: String?
        public var transcript: [TranscriptStep]
        /// Patches the model made (refused ones included), and the one `deliver_patch` accepted.
        public var patchIDs: [Int64]
        public var delivered: Int64?
        public var steps: Int
        public var tokens: Int
    }

    /// The tools a model may call to answer a question: they read, or store only their own results.
    public static let readTools: [ToolName] = [
        .listServices, .queryProfile, .listRegressions, .getRegression, .rankRootCauses, .getChange, .configHistory,
        .searchCode, .listSkills, .readDocs, .getExperimentResults, .listOpportunities, .listPatches, .getMetrics,
        .getExperiment, .planCapacity, .getInbox,
    ]
    /// The tools a model may add to make a fix: patches go to the store and to new branches only.
    public static let patchTools: [ToolName] = [.generatePatch, .proposePatch, .validatePatch, .deliverPatch]

    public func ask(_ question: String) async -> Run {
        await loop(
            task: """
                Answer this question about the service's performance from the tools, with figures, and cite the tool \
                calls your figures come from (tool name and arguments):

                \(question)
                """, tools: Self.readTools)
    }

    public func fix(regression id: Int64, validation: [String: JSONValue] = [:]) async -> Run {
        await loop(
            task: """
                Fix regression \(id). Find its culprit (get_regression, rank_root_causes, get_change), look at what rose \
                (query_profile mode diff), pick the skill that fits, read it (read_docs), then make a patch with \
                generate_patch (the skill's recipe) or propose_patch (your own edit of the one function), validate it with \
                validate_patch\(Self.validationHint(validation)), and if it is a significant gain deliver it with \
                deliver_patch. If a patch is refused, read why and try another way or stop. End with a summary: culprit, \
                skill, patch id, branch and the measured speed-up.
                """, tools: Self.readTools + Self.patchTools)
    }

    public func resolve(opportunity id: Int64, validation: [String: JSONValue] = [:]) async -> Run {
        await loop(
            task: """
                Resolve opportunity \(id) (list_opportunities with id \(id)). Read the matching skill (read_docs), make a \
                patch with generate_patch or propose_patch, validate it with validate_patch\(Self.validationHint(validation)), \
                and deliver it with deliver_patch only if it is a significant gain. End with a summary.
                """, tools: Self.readTools + Self.patchTools)
    }

    static func validationHint(_ validation: [String: JSONValue]) -> String {
        validation.isEmpty ? "" : " (pass these arguments too: \(WireJSON.text(.object(validation))))"
    }

    var system: String {
        var lines = [
            "You are Headroom's performance engineer agent. Headroom turns continuous-profiling data into per-function CPU shares,",
            "detects regressions, ranks their root causes and fixes waste with validated patches on new branches.",
            "Work only through the tools. Never invent figures: every number you state must come from a tool result.",
            "Patches: generate_patch runs a skill's checked recipe; propose_patch submits your own new text for exactly one",
            "function. Both pass guardrails (syntax, minimal diff, right function, right issue). validate_patch runs the tests",
            "and an A/B benchmark; deliver_patch commits a validated patch to a new branch. A person reviews and applies it.",
            "",
            "Skills (read one's full instructions with read_docs {\"skill\": NAME} before you apply it):",
        ]
        for skill in catalog?.skills ?? [] {
            lines.append("- \(skill.name): \(skill.description)")
        }
        return redactor.redact(lines.joined(separator: "\n"))
    }

    func loop(task: String, tools offered: [ToolName]) async -> Run {
        let allowed = offered.filter { $0 != .rejectPatch }.map(\.rawValue)
        // The lists are explicit: `validate_patch` is offered although it runs code (the repository's own commands,
        // never the model's), `reject_patch` (deletes a branch) never is.
        let specs = registry.tools.filter { allowed.contains($0.name) }
            .map { ToolSpec(name: $0.name, description: $0.description, schema: $0.inputSchema) }
        var messages: [ChatMessage] = [.user(redactor.redact(task))]
        var run = Run(status: .failed, transcript: [], patchIDs: [], steps: 0, tokens: 0)
        var malformed = 0
        let system = self.system
        while true {
            guard run.steps < configuration.maxSteps else {
                return finish(
                    &run, .budget, "stopped after \(run.steps) model calls (step budget \(configuration.maxSteps))")
            }
            guard run.tokens < configuration.tokenBudget else {
                return finish(&run, .budget, "stopped at \(run.tokens) tokens (budget \(configuration.tokenBudget))")
            }
            run.steps += 1
            let started = Date()
            let reply: ChatReply
            do {
                reply = try await provider.complete(system: system, messages: messages, tools: specs)
            } catch let error as LLMError {
                record(
                    &run,
                    TranscriptStep(
                        kind: .llm, note: "error: \(redactor.redact(error.description))", milliseconds: ms(started)))
                if case .malformed = error, malformed < 2 {
                    malformed += 1
                    continue
                }
                return finish(&run, .failed, redactor.redact(error.description))
            } catch {
                return finish(&run, .failed, redactor.redact("\(error)"))
            }
            let used = reply.inputTokens + reply.outputTokens
            run.tokens += used > 0 ? used : Self.estimate(messages) + (reply.text?.count ?? 0) / 4
            record(
                &run,
                TranscriptStep(
                    kind: .llm,
                    note: "\(configuration.model): \(reply.inputTokens) in, \(reply.outputTokens) out"
                        + (reply.calls.isEmpty ? "" : "; calls " + reply.calls.map(\.name).joined(separator: ", "))
                        + (reply.text.map { "; says: \(redactor.redact(String($0.prefix(600))))" } ?? ""),
                    milliseconds: ms(started)))
            messages.append(.assistant(text: reply.text, calls: reply.calls))
            if reply.calls.isEmpty {
                run.answer = reply.text
                let reason = run.delivered != nil ? nil : await lastPatchReason(run)
                return finish(
                    &run, run.delivered != nil ? .delivered : (run.patchIDs.isEmpty ? .answered : .refused), reason)
            }
            for call in reply.calls {
                let result = await perform(call, allowed: Set(specs.map(\.name)), run: &run, malformed: &malformed)
                messages.append(
                    .tool(callID: call.id, name: call.name, content: result.content, isError: result.isError))
            }
            if malformed > 3 { return finish(&run, .failed, "the model sent malformed tool calls \(malformed) times") }
        }
    }

    /// Runs one tool call; malformed arguments, unknown or disallowed tools and tool errors go back to the model
    /// as error results (never thrown).
    func perform(_ call: ToolCall, allowed: Set<String>, run: inout Run, malformed: inout Int) async -> (
        content: String, isError: Bool
    ) {
        let started = Date()
        guard allowed.contains(call.name) else {
            let message = "tool \(call.name) is not available here (tools: \(allowed.sorted().joined(separator: ", ")))"
            record(&run, TranscriptStep(kind: .tool, tool: call.name, note: "rejected: \(message)", milliseconds: 0))
            return (message, true)
        }
        guard let arguments = call.arguments else {
            malformed += 1
            let message = "arguments are not a JSON object: \(redactor.redact(String(call.rawArguments.prefix(200))))"
            record(&run, TranscriptStep(kind: .tool, tool: call.name, note: "rejected: \(message)", milliseconds: 0))
            return (message, true)
        }
        progress("llm → \(call.name) \(WireJSON.text(arguments).prefix(120))")
        let registry = self.registry
        do {
            let output = try await AsyncBridge.offPool { try registry.call(call.name, arguments) }
            switch ToolName(rawValue: call.name) {
            case .generatePatch?, .proposePatch?:
                run.patchIDs.append(try ToolRegistry.decode(output, as: .generatePatch).patch)
            case .deliverPatch?:
                let delivered = try ToolRegistry.decode(output, as: .deliverPatch)
                if delivered.status == .delivered { run.delivered = delivered.patch }
            default: break
            }
            // Redacted as structure first (each string decoded, so quotes are quotes), then as the text sent.
            let text = redactor.redact(WireJSON.text(redactor.redact(output)))
            let clipped =
                text.count > 16_000 ? String(text.prefix(16_000)) + " …(truncated; ask for less with limit)" : text
            record(
                &run,
                TranscriptStep(
                    kind: .tool, tool: call.name, input: redactedJSON(arguments),
                    output: text.count <= 12_000 ? redactedJSON(output) : ["digest": .string(String(text.prefix(400)))],
                    note: "ok", milliseconds: ms(started)))
            return (clipped, false)
        } catch {
            let message = redactor.redact(HeadroomError.oneLine(error))
            record(
                &run,
                TranscriptStep(
                    kind: .tool, tool: call.name, input: redactedJSON(arguments), note: "error: \(message)",
                    milliseconds: ms(started)))
            return (message, true)
        }
    }

    func lastPatchReason(_ run: Run) async -> String? {
        let registry = registry
        guard let last = run.patchIDs.last,
            let listed = try? await AsyncBridge.offPool({ try registry.call(.listPatches) })
        else { return nil }
        return listed.patches.first { $0.patch == last }?.reason ?? "patch #\(last) was not delivered"
    }

    func redactedJSON(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let s): return .string(redactor.redact(s))
        case .array(let items): return .array(items.map(redactedJSON))
        case .object(let fields): return .object(fields.mapValues(redactedJSON))
        default: return value
        }
    }

    func record(_ run: inout Run, _ step: TranscriptStep) {
        progress(step.tool.map { "\($0): \(step.note.prefix(160))" } ?? String(step.note.prefix(200)))
        run.transcript.append(step)
    }

    func finish(_ run: inout Run, _ status: Run.Status, _ reason: String?) -> Run {
        run.status = status
        run.reason = reason
        run.transcript.append(
            TranscriptStep(kind: .result, note: status.rawValue + (reason.map { ": \($0)" } ?? ""), milliseconds: 0))
        return run
    }

    func ms(_ started: Date) -> Double { Date().timeIntervalSince(started) * 1000 }

    static func estimate(_ messages: [ChatMessage]) -> Int {
        messages.reduce(0) { total, message in
            switch message {
            case .user(let t): return total + t.count / 4
            case .assistant(let t, let calls):
                return total + (t?.count ?? 0) / 4 + calls.reduce(0) { $0 + $1.rawArguments.count / 4 }
            case .tool(_, _, let c, _): return total + c.count / 4
            }
        }
    }
}
