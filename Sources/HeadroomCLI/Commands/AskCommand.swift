import ArgumentParser
import Foundation
import HeadroomAgent
import HeadroomCore
import HeadroomEngine
import HeadroomLLM
import HeadroomSkills

/// Which LLM, if any: flags override `HEADROOM_LLM_*` (and `OPENAI_API_KEY` / `ANTHROPIC_API_KEY`).
struct LLMOptions: ParsableArguments {
    @Option(help: "LLM provider: openai (any OpenAI-compatible server) or anthropic (default: $HEADROOM_LLM_PROVIDER).")
    var llmProvider: String?
    @Option(help: "LLM base URL, e.g. http://127.0.0.1:11434/v1 (default: $HEADROOM_LLM_BASE_URL).") var llmBaseUrl:
        String?
    @Option(help: "LLM model (default: $HEADROOM_LLM_MODEL; none configured means the offline rule brain).")
    var llmModel: String?
    @Option(help: "LLM API key (prefer $HEADROOM_LLM_API_KEY: flags show in process lists).") var llmApiKey: String?
    @Option(help: "Model calls allowed per run.") var llmMaxSteps: Int?
    @Option(help: "Tokens allowed per run.") var llmTokenBudget: Int?
    @Flag(help: "Use the offline rule brain even when an LLM is configured.") var noLlm = false

    func configuration() throws -> LLMConfiguration? {
        guard !noLlm else { return nil }
        guard
            var c = try LLMConfiguration.resolve(
                provider: llmProvider, baseURL: llmBaseUrl, model: llmModel, apiKey: llmApiKey)
        else {
            return nil
        }
        if let llmMaxSteps { c.maxSteps = llmMaxSteps }
        if let llmTokenBudget { c.tokenBudget = llmTokenBudget }
        return c
    }
}

struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract:
            "Ask about performance: what regressed, why, what to do, the biggest opportunities, what a function costs.",
        discussion: """
            With an LLM configured (HEADROOM_LLM_MODEL, …) the LLM brain answers through the tools; without one the \
            offline rule brain answers the common questions. Either way the answer cites the tool calls it used.
            """)

    @Argument(help: "The question, e.g. \"what regressed and why?\" or \"what does apply_discounts cost?\".")
    var question: String
    @Option(help: "Only this service.") var service: String?
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var skills: SkillsOptions
    @OptionGroup var llm: LLMOptions
    @OptionGroup var format: FormatOptions

    func run() async throws {
        guard !question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw HeadroomError(.badInput, "ask needs a question")
        }
        let context = try toolContext(store: storeOptions, skills: skills, output: nil)
        let registry = HeadroomTools.registry(context)
        let catalog = try? context.skillsRoot.map { try SkillCatalog.load(root: $0) }
        let answer: AskBrain.Answer
        if let configuration = try llm.configuration() {
            let agent = LLMAgent(
                configuration: configuration, registry: registry, catalog: catalog ?? nil,
                redactor: AgentService.redactor(store: context.store), progress: progressLine)
            let question = service.map { "\(self.question) (service \($0))" } ?? self.question
            let run = await agent.ask(question)
            let path = try TranscriptFiles.save(
                run.transcript, question: agent.redactor.redact(question), store: storeOptions.path)
            guard run.status == "answered", let text = run.answer else {
                throw HeadroomError(
                    .process, "the LLM gave no answer (\(run.status): \(run.reason ?? "?")); transcript \(path)")
            }
            let used: [AskBrain.Evidence] = run.transcript.compactMap { step in
                guard step.kind == "tool", step.note == "ok", let tool = step.tool else { return nil }
                return AskBrain.Evidence(tool: tool, input: step.input ?? .null, facts: [])
            }
            answer = AskBrain.Answer(
                question: question, intents: [], text: text, evidence: used,
                brain: "llm \(configuration.model); transcript \(path)")
        } else {
            answer = AskBrain(registry: registry, catalog: catalog ?? nil).answer(question, service: service)
        }
        if format.format == .json { return try printJSON(answer) }
        print(answer.text)
        print("\nEvidence (\(answer.brain)):")
        for e in answer.evidence {
            print("- \(e.tool) \(e.input.description.prefix(160))")
            for fact in e.facts.prefix(6) { print("    · \(fact)") }
        }
    }
}

/// Transcripts of `ask` runs: `transcripts/ask-TIME.json` next to the store, already redacted.
enum TranscriptFiles {
    static func save(_ steps: [TranscriptStep], question: String, store: String) throws -> String {
        let directory = ((store as NSString).deletingLastPathComponent as NSString).appendingPathComponent(
            "transcripts")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let stamp = Timestamps.format(Timestamps.now()).replacingOccurrences(of: ":", with: "-")
        let path = (directory as NSString).appendingPathComponent(
            "ask-\(stamp)-\(UInt32.random(in: 0...UInt32.max)).json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        struct File: Encodable { var question: String; var steps: [TranscriptStep] }
        try encoder.encode(File(question: question, steps: steps)).write(to: URL(fileURLWithPath: path))
        return path
    }
}
