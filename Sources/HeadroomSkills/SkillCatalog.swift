import Foundation
import HeadroomCore
import Yams

/// One skill folder in the Agent Skills format, with Headroom's trigger metadata parsed.
public struct Skill: Sendable, Codable, Equatable {
    public var name: String
    public var description: String
    /// The folder holding SKILL.md.
    public var directory: String
    /// The Markdown after the front matter: instructions for an LLM.
    public var instructions: String
    /// Every `metadata` entry as written.
    public var metadata: [String: String]
    public var recipe: String?
    public var kinds: [String]
    public var patterns: [String]
    public var languages: [String]
    /// Substrings of frame names or files that point to this skill on a regression's rising stacks.
    public var frames: [String]
    /// Regular expressions on a culprit's added lines that point to this skill.
    public var code: [String]
    public var tools: [String]
    public var priority: Int
    public var fallback: Bool
    /// Prompt arguments as `(name, description)`.
    public var arguments: [SkillArgument]
    /// Reference files, relative to the skill folder (`references/patterns.md`).
    public var references: [String]

    public func applies(to kind: String) -> Bool { kinds.contains(kind) }

    /// What a skill may be for: fixing a regression or an opportunity (with a recipe or a playbook), or a playbook
    /// a person walks (`headroom investigate`) or an agent follows to validate a fix (a canary check).
    public static let kinds: Set<String> = ["regression", "opportunity", "validation", "investigation"]

    public func supports(path: String) -> Bool {
        let ext = (path as NSString).pathExtension.lowercased()
        let language = Skill.languageByExtension[ext] ?? ext
        return languages.contains(language)
    }

    static let languageByExtension = [
        "py": "python", "swift": "swift", "go": "go", "rs": "rust", "kt": "kotlin", "js": "javascript",
        "ts": "typescript", "java": "java", "c": "c", "h": "c", "cc": "cpp", "cpp": "cpp", "hpp": "cpp",
    ]
}

public struct SkillArgument: Sendable, Codable, Equatable {
    public var name: String
    public var description: String
}

/// A folder that was not loaded, and why.
public struct SkillProblem: Sendable, Codable, Equatable {
    public var directory: String
    public var reason: String
}

/// The skills under one folder. A malformed skill is reported in `problems` and skipped; it never stops the rest.
public struct SkillCatalog: Sendable {
    public var root: String
    public var skills: [Skill]
    public var problems: [SkillProblem]

    public init(root: String, skills: [Skill], problems: [SkillProblem]) {
        self.root = root
        self.skills = skills
        self.problems = problems
    }

    public func skill(named name: String) -> Skill? { skills.first { $0.name == name } }

    /// Loads every `*/SKILL.md` under `root`; `recipes` are the registered recipe names a skill may name.
    public static func load(root: String, recipes: Set<String> = Set(Recipes.all().keys)) throws -> SkillCatalog {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw HeadroomError(.notFound, "skills folder \(root) does not exist")
        }
        var skills: [Skill] = []
        var problems: [SkillProblem] = []
        for entry in try fm.contentsOfDirectory(atPath: root).sorted() where !entry.hasPrefix(".") {
            let directory = (root as NSString).appendingPathComponent(entry)
            guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            do {
                let skill = try parse(directory: directory, recipes: recipes)
                if skills.contains(where: { $0.name == skill.name }) {
                    throw HeadroomError(.badInput, "a second skill named \(skill.name)")
                }
                skills.append(skill)
            } catch {
                problems.append(SkillProblem(directory: directory, reason: HeadroomError.oneLine(error)))
            }
        }
        return SkillCatalog(root: root, skills: skills, problems: problems)
    }

    /// Parses one skill folder, validating the Agent Skills constraints and Headroom's metadata.
    public static func parse(directory: String, recipes: Set<String>) throws -> Skill {
        let folder = (directory as NSString).lastPathComponent
        let path = (directory as NSString).appendingPathComponent("SKILL.md")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw HeadroomError(.badInput, "no readable SKILL.md")
        }
        let (front, body) = try splitFrontMatter(text)
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: front)
        } catch {
            let first = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
            throw HeadroomError(.badInput, "SKILL.md front matter is not valid YAML: \(first)")
        }
        guard let fields = loaded as? [String: Any] else {
            throw HeadroomError(.badInput, "SKILL.md front matter is not a mapping")
        }
        guard let name = fields["name"] as? String, !name.isEmpty else {
            throw HeadroomError(.badInput, "SKILL.md has no `name`")
        }
        guard name.count <= 64, name.range(of: "^[a-z0-9]+(-[a-z0-9]+)*$", options: .regularExpression) != nil else {
            throw HeadroomError(.badInput, "name `\(name)` must be 1-64 lowercase letters, digits and single hyphens")
        }
        guard name == folder else {
            throw HeadroomError(.badInput, "name `\(name)` must match its folder `\(folder)`")
        }
        guard let description = fields["description"] as? String,
            !description.trimmingCharacters(in: .whitespaces).isEmpty, description.count <= 1024
        else { throw HeadroomError(.badInput, "`description` must be 1-1024 characters") }
        var metadata: [String: String] = [:]
        if let raw = fields["metadata"] {
            guard let map = raw as? [String: Any] else {
                throw HeadroomError(.badInput, "`metadata` must be a mapping")
            }
            for (key, value) in map {
                switch value {
                case let text as String: metadata[key] = text
                case let number as Int: metadata[key] = String(number)
                case let flag as Bool: metadata[key] = String(flag)
                default:
                    throw HeadroomError(.badInput, "metadata `\(key)` must be a string (lists are space-separated)")
                }
            }
        }
        func list(_ key: String) -> [String] {
            (metadata[key] ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        }
        let recipe = metadata["headroom-recipe"].flatMap { $0.isEmpty ? nil : $0 }
        if let recipe, !recipes.contains(recipe) {
            throw HeadroomError(
                .badInput,
                "headroom-recipe `\(recipe)` is not a registered recipe (\(recipes.sorted().joined(separator: ", ")))")
        }
        let kinds = list("headroom-kinds")
        if let bad = kinds.first(where: { !Skill.kinds.contains($0) }) {
            throw HeadroomError(
                .badInput,
                "headroom-kinds has `\(bad)`; use regression and/or opportunity (fix skills), validation or investigation (playbooks)"
            )
        }
        for pattern in list("headroom-code") where (try? NSRegularExpression(pattern: pattern)) == nil {
            throw HeadroomError(.badInput, "headroom-code `\(pattern)` is not a valid regular expression")
        }
        guard metadata["headroom-priority"].map({ Int($0) != nil }) ?? true else {
            throw HeadroomError(.badInput, "headroom-priority must be an integer")
        }
        let arguments = (metadata["headroom-arguments"] ?? "").split(separator: ";").compactMap {
            item -> SkillArgument? in
            let parts = item.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let first = parts.first, !first.isEmpty else { return nil }
            return SkillArgument(name: first, description: parts.count > 1 ? parts[1] : "")
        }
        let referencesDirectory = (directory as NSString).appendingPathComponent("references")
        let references = ((try? FileManager.default.contentsOfDirectory(atPath: referencesDirectory)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted().map { "references/\($0)" }
        let tools =
            list("headroom-tools").isEmpty
            ? ((fields["allowed-tools"] as? String) ?? "").split(separator: " ").map(String.init)
            : list("headroom-tools")
        return Skill(
            name: name, description: description, directory: directory, instructions: body, metadata: metadata,
            recipe: recipe, kinds: kinds, patterns: list("headroom-patterns"), languages: list("headroom-languages"),
            frames: list("headroom-frames"), code: list("headroom-code"), tools: tools,
            priority: Int(metadata["headroom-priority"] ?? "0") ?? 0,
            fallback: metadata["headroom-fallback"] == "true", arguments: arguments, references: references)
    }

    static func splitFrontMatter(_ text: String) throws -> (front: String, body: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---" else {
            throw HeadroomError(.badInput, "SKILL.md does not start with `---` front matter")
        }
        guard let close = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" })
        else {
            throw HeadroomError(.badInput, "SKILL.md front matter is not closed with `---`")
        }
        return (
            lines[1..<close].joined(separator: "\n"),
            lines[(close + 1)...].joined(separator: "\n").trimmingCharacters(in: .newlines)
        )
    }

    /// The skills folder: `explicit`, `$HEADROOM_SKILLS`, or `Skills/` above the current directory or the executable.
    public static func locate(_ explicit: String? = nil) throws -> String {
        if let given = explicit ?? ProcessInfo.processInfo.environment["HEADROOM_SKILLS"] { return given }
        let isSkills = { (path: String) in
            FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("log-guard/SKILL.md"))
        }
        if let found = BundledFiles.find("Skills", where: isSkills) { return found }
        throw HeadroomError(.notFound, "cannot find the Skills folder; pass --skills DIR or set HEADROOM_SKILLS")
    }
}
