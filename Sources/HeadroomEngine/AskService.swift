import Foundation
import HeadroomAgent
import HeadroomCore
import HeadroomLLM
import HeadroomSkills

/// `ask`: a question about performance answered from the tools. Without an LLM the offline rule brain answers the
/// common questions; with one, the LLM brain answers through the same read-only tools and its transcript (already
/// redacted) is saved under `transcripts/` next to the store. Either way the answer cites the tool calls it used.
public struct AskService: Sendable {
    /// The store, skills and cost model the tools work on.
    public var context: ToolContext
    /// The folder transcripts go to.
    public var transcripts: String

    /// A service over `context`'s tools, saving transcripts beside the store at `storePath`.
    public init(context: ToolContext, storePath: String) {
        self.context = context
        transcripts = ((storePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent(
            "transcripts")
    }

    /// The answer to `question` (about `service` when given). An LLM run that ends without an answer is a `process`
    /// error naming why and where its transcript is.
    public func answer(
        _ question: String, service: String?, llm: LLMConfiguration?,
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> AskBrain.Answer {
        guard !question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw HeadroomError(.badInput, "ask needs a question")
        }
        let registry = HeadroomTools.registry(context)
        let catalog = try? context.skillsRoot.map { try SkillCatalog.load(root: $0) }
        guard let llm else {
            return AskBrain(registry: registry, catalog: catalog ?? nil).answer(question, service: service)
        }
        let agent = LLMAgent(
            configuration: llm, registry: registry, catalog: catalog ?? nil,
            redactor: AgentService.redactor(store: context.store), progress: progress)
        let asked = service.map { "\(question) (service \($0))" } ?? question
        let run = await agent.ask(asked)
        let path = try saveTranscript(run.transcript, question: agent.redactor.redact(asked))
        guard run.status == .answered, let text = run.answer else {
            throw HeadroomError(
                .process, "the LLM gave no answer (\(run.status.rawValue): \(run.reason ?? "?")); transcript \(path)")
        }
        let used: [AskBrain.Evidence] = run.transcript.compactMap { step in
            guard step.kind == .tool, step.note == "ok", let tool = step.tool else { return nil }
            return AskBrain.Evidence(tool: tool, input: step.input ?? .null, facts: [])
        }
        return AskBrain.Answer(
            question: asked, intents: [], text: text, evidence: used, brain: "llm \(llm.model); transcript \(path)")
    }

    /// Writes `transcripts/ask-TIME-RANDOM.json` and returns its path.
    func saveTranscript(_ steps: [TranscriptStep], question: String) throws -> String {
        try FileManager.default.createDirectory(atPath: transcripts, withIntermediateDirectories: true)
        let stamp = Timestamps.format(Timestamps.now()).replacingOccurrences(of: ":", with: "-")
        let path = (transcripts as NSString).appendingPathComponent(
            "ask-\(stamp)-\(UInt32.random(in: 0...UInt32.max)).json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        struct File: Encodable {
            var question: String
            var steps: [TranscriptStep]
        }
        try encoder.encode(File(question: question, steps: steps)).write(to: URL(fileURLWithPath: path))
        return path
    }
}
