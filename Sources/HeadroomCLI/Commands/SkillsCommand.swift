import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomSkills

/// Where the skills live, shared by the commands that use them.
struct SkillsOptions: ParsableArguments {
    @Option(name: .long, help: "The Skills folder (default: $HEADROOM_SKILLS, else Skills/ next to the checkout).")
    var skills: String?

    func root() throws -> String { try SkillCatalog.locate(skills) }
}

/// The tool context the agent commands build from their options.
func toolContext(
    store: StoreOptions, skills: SkillsOptions, output: String?, runs: Int? = nil, create: Bool = false,
    serving: Bool = false
) throws -> ToolContext {
    let opened = try serving ? store.location.openForServing() : store.open(create: create)
    let directory =
        output ?? ((store.path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("prs")
    return ToolContext(
        store: opened, skillsRoot: try? skills.root(), outputDirectory: directory,
        validation: ValidationConfiguration(runs: runs ?? 12))
}

struct SkillsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skills", abstract: "The skills library (Agent Skills folders with a recipe each).",
        subcommands: [List.self, Show.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the skills that loaded, and the folders skipped with why.")
        @OptionGroup var skills: SkillsOptions
        @OptionGroup var format: FormatOptions

        func run() throws {
            let catalog = try SkillCatalog.load(root: try skills.root())
            if format.format == .json {
                try printJSON(
                    [
                        "skills": try JSONValue(encoding: catalog.skills.map { SkillSummary($0) }),
                        "problems": try JSONValue(encoding: catalog.problems),
                    ] as JSONValue)
                return
            }
            for skill in catalog.skills {
                let triggers = (skill.kinds + skill.patterns.map { "pattern:\($0)" }).joined(separator: " ")
                print("\(skill.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(triggers)")
                print("    \(skill.description.prefix(150))\(skill.description.count > 150 ? "…" : "")")
            }
            for problem in catalog.problems {
                print("skipped \(problem.directory): \(problem.reason)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a skill: SKILL.md, references and accepted prior examples.")
        @Argument(help: "Skill name.") var name: String
        @OptionGroup var skills: SkillsOptions
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var format: FormatOptions

        func run() throws {
            let context = try toolContext(store: storeOptions, skills: skills, output: nil)
            let docs = try HeadroomTools.registry(context).call(.readDocs, ["skill": .string(name)])
            if format.format == .json { try printJSON(try JSONValue(encoding: docs)); return }
            print(docs.text ?? "")
            let references = docs.references ?? []
            if !references.isEmpty { print("\nreferences: " + references.joined(separator: ", ")) }
            for example in docs.priorExamples ?? [] { print("\n" + example) }
        }
    }
}

struct SkillSummary: Encodable {
    var name, description, directory: String
    var recipe: String?
    var kinds, patterns, languages, tools: [String]
    init(_ skill: Skill) {
        name = skill.name
        description = skill.description
        directory = skill.directory
        recipe = skill.recipe
        kinds = skill.kinds
        patterns = skill.patterns
        languages = skill.languages
        tools = skill.tools
    }
}

struct ToolsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tools", abstract: "The tool registry the agents and the MCP server use.",
        subcommands: [List.self, Call.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the tools with their annotations (and schemas in JSON).")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var skills: SkillsOptions
        @OptionGroup var format: FormatOptions

        func run() throws {
            let registry = HeadroomTools.registry(try toolContext(store: storeOptions, skills: skills, output: nil))
            if format.format == .json {
                try printJSON(
                    [
                        "tools": .array(
                            try registry.tools.map { tool in
                                [
                                    "name": .string(tool.name), "description": .string(tool.description),
                                    "input_schema": tool.inputSchema,
                                    "output_schema": tool.outputSchema,
                                    "annotations": try JSONValue(encoding: tool.annotations),
                                ]
                            })
                    ] as JSONValue)
                return
            }
            for tool in registry.tools {
                let kind =
                    tool.annotations.readOnly ? "read-only" : (tool.annotations.destructive ? "destructive" : "writes")
                print(
                    "\(tool.name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(kind.padding(toLength: 10, withPad: " ", startingAt: 0)) \(tool.description.prefix(90))"
                )
            }
        }
    }

    struct Call: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Call one tool with JSON arguments; prints its JSON result.")
        @Argument(help: "Tool name.") var name: String
        @Argument(help: "Arguments as a JSON object.") var arguments: String = "{}"
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var skills: SkillsOptions
        @Option(help: "Where PR descriptions go (default: prs/ next to the store).") var output: String?

        func run() throws {
            let registry = HeadroomTools.registry(try toolContext(store: storeOptions, skills: skills, output: output))
            try printJSON(try registry.call(name, try JSONValue.parse(arguments)))
        }
    }
}
