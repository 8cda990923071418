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
        let context = try toolContext(store: storeOptions, skills: skills, output: nil)
        let answer = try await AskService(context: context, storePath: storeOptions.path).answer(
            question, service: service, llm: try llm.configuration(), progress: progressLine)
        if format.format == .json { return try printJSON(answer) }
        print(answer.text)
        print("\nEvidence (\(answer.brain)):")
        for e in answer.evidence {
            print("- \(e.tool) \(e.input.description.prefix(160))")
            for fact in e.facts.prefix(6) { print("    · \(fact)") }
        }
    }
}
