import Foundation
import HeadroomCore
import HeadroomSkills

/// The offline assistant behind `headroom ask`: recognises the common questions (what regressed, why, what to do,
/// where the biggest opportunities are, what a function costs), answers each from the tools, and cites every tool
/// call it used with the facts it took from it.
public struct AskBrain: Sendable {
    public var registry: ToolRegistry
    public var catalog: SkillCatalog?

    public init(registry: ToolRegistry, catalog: SkillCatalog?) {
        self.registry = registry
        self.catalog = catalog
    }

    public struct Evidence: Sendable, Encodable {
        public var tool: String
        public var input: JSONValue
        public var facts: [String]

        public init(tool: String, input: JSONValue, facts: [String]) {
            self.tool = tool
            self.input = input
            self.facts = facts
        }
    }

    public struct Answer: Sendable, Encodable {
        public var question: String
        public var intents: [Intent]
        public var text: String
        public var evidence: [Evidence]
        public var brain: String

        public init(question: String, intents: [Intent], text: String, evidence: [Evidence], brain: String) {
            self.question = question
            self.intents = intents
            self.text = text
            self.evidence = evidence
            self.brain = brain
        }
    }

    public func answer(_ question: String, service: String? = nil) -> Answer {
        var session = Session(registry: registry)
        let intents = Self.intents(question)
        var sections: [String] = []
        for intent in intents {
            do {
                switch intent {
                case .regressed: sections.append(try regressed(question, service: service, &session))
                case .why: sections.append(try why(question, service: service, &session))
                case .whatToDo: sections.append(try whatToDo(question, service: service, &session))
                case .opportunities: sections.append(try opportunities(service: service, &session))
                case .cost: sections.append(try cost(question, service: service, &session))
                case .savings: sections.append(try savings(question, &session))
                case .plan: sections.append(try plan(question, service: service, &session))
                case .inbox: sections.append(try inbox(question, &session))
                }
            } catch {
                sections.append("(\(intent.rawValue)) I could not answer: \(HeadroomError.oneLine(error))")
            }
        }
        return Answer(
            question: question, intents: intents, text: sections.joined(separator: "\n\n"),
            evidence: session.evidence, brain: "rules")
    }
}
