import ArgumentParser
import Foundation
import HeadroomAgent
import HeadroomCore
import HeadroomEngine
import HeadroomSkills

struct InvestigateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "investigate",
        abstract:
            "Walk a regression's investigation step by step with a person: each tool's answer, its reading, your call.",
        discussion: """
            Runs the steps of an investigation skill (default investigate-regression: the regression, its ranked \
            culprits, the chosen culprit's change, where the cost went, the fix waiting). After each step it asks: \
            Enter continues, a number picks a choice, s stops. It needs a terminal; --yes walks every step with its \
            default choice (for scripts). The transcript is saved as JSON (--transcript, default \
            investigations/regression-ID-TIME.json next to the store). MCP clients get the same walk as the skill's \
            prompt.
            """)

    @Argument(help: "The regression id.") var id: Int64
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var skills: SkillsOptions
    @OptionGroup var formatOptions: FormatOptions
    @Option(help: "The investigation skill.") var skill = "investigate-regression"
    @Flag(help: "Take every step's default without asking.") var yes = false
    @Option(help: "Where to save the transcript.") var transcript: String?

    func run() throws {
        let interactive = isatty(STDIN_FILENO) == 1
        guard yes || interactive else {
            throw HeadroomError(
                .badInput, "stdin is not a terminal: pass --yes to walk every step with its default choice")
        }
        let context = try toolContext(store: storeOptions, skills: skills, output: nil)
        let catalog = try SkillCatalog.load(root: try skills.root())
        guard let chosen = catalog.skill(named: skill) else {
            throw HeadroomError(.notFound, "no skill \(skill) in \(catalog.root)")
        }
        let walker = try InvestigationWalker(registry: HeadroomTools.registry(context), skill: chosen)
        // People read the walk on stdout; with --format json it goes to stderr and stdout is the transcript.
        let json = formatOptions.format == .json
        func say(_ text: String) {
            if json { FileHandle.standardError.write(Data((text + "\n").utf8)) } else { print(text) }
        }
        let result = walker.walk(regression: id) { step in
            say("\n== \(step.step): \(step.tool) \(step.input)")
            for line in step.shown { say("   \(line)") }
            say("-> \(step.reading)")
            for (index, choice) in step.choices.enumerated() { say("   [\(index + 1)] \(choice)") }
            if yes { return .next(0) }
            while true {
                let prompt =
                    step.choices.isEmpty
                    ? "Enter: continue · s: stop > " : "1-\(step.choices.count) or Enter: choose · s: stop > "
                FileHandle.standardError.write(Data(prompt.utf8))
                guard let line = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() else { return .stop }
                if line == "s" || line == "q" || line == "stop" { return .stop }
                if line.isEmpty { return .next(0) }
                if let n = Int(line), step.choices.indices.contains(n - 1) { return .next(n - 1) }
                FileHandle.standardError.write(Data("   (not a choice)\n".utf8))
            }
        }
        let path = try transcript ?? Self.defaultPath(store: storeOptions.path, id: id)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(result).write(to: URL(fileURLWithPath: path))
        if json {
            try printJSON(result)
        } else {
            print(
                "\n\(result.outcome) after \(result.steps.count) step\(result.steps.count == 1 ? "" : "s"); transcript: \(path)"
            )
        }
        if result.outcome == "failed" {
            throw HeadroomError(
                .process, "the investigation stopped on an error: \(result.error ?? "?") (transcript: \(path))")
        }
    }

    static func defaultPath(store: String, id: Int64) throws -> String {
        let folder = ((store as NSString).deletingLastPathComponent as NSString).appendingPathComponent(
            "investigations")
        let stamp = Timestamps.format(Timestamps.now()).replacingOccurrences(of: ":", with: "")
        return (folder as NSString).appendingPathComponent("regression-\(id)-\(stamp).json")
    }
}
