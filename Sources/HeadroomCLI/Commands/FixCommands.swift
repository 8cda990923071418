import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomAgent
import HeadroomEngine
import HeadroomSkills

/// Options of `fix` and `resolve`: validation commands and where the PR description goes.
struct AgentRunOptions: ParsableArguments {
    @Option(help: "Test command (default: the target's headroom.toml [commands] test).") var test: String?
    @Option(help: "Benchmark command (default: headroom.toml [commands] bench).") var bench: String?
    @Option(help: "Timed A/B runs per side and look (at least 10); an open answer gets up to three looks.") var runs:
        Int = 12
    @Option(help: "Where PR descriptions go (default: prs/ next to the store).") var output: String?

    /// Arguments of `validate_patch`: only the run count. The commands go to the tool context as the operator's.
    func validationArguments() throws -> [String: JSONValue] {
        guard runs >= 10 else { throw HeadroomError(.badInput, "--runs must be at least 10") }
        return ["runs": .number(Double(runs))]
    }
}

/// Runs the agent for `fix` or `resolve` and prints its result; a failed run exits 2. With --database, the agent
/// works over the shared database's tools (the patch is recorded there; the repository must be on this machine).
func runAgent(
    store: StoreOptions, database: DatabaseOptions, skills: SkillsOptions, options: AgentRunOptions, llm: LLMOptions,
    format: OutputFormat, _ body: @escaping @Sendable (AgentService) async throws -> AgentService.Result
) async throws {
    let (validation, configuration) = (try options.validationArguments(), try llm.configuration())
    let commands = OperatorCommands(test: options.test, bench: options.bench)
    let result: AgentService.Result
    if let url = database.url {
        let skillsRoot = try? skills.root()
        result = try await TeamDatabase.with(url: url) { team in
            let fixing = team.fixContext(
                skillsRoot: skillsRoot, outputDirectory: options.output,
                validation: ValidationConfiguration(runs: options.runs), commands: commands)
            var service = team.agent(fixing: fixing, validation: validation, llm: configuration)
            service.logger = cliLogger("headroom.agent")
            return try await body(service)
        }
    } else {
        var context = try toolContext(store: store, skills: skills, output: options.output, runs: options.runs)
        context.commands = commands
        var service = AgentService(context: context, validation: validation, llm: configuration)
        service.logger = cliLogger("headroom.agent")
        result = try await body(service)
    }
    try printAgentResult(result, format: format)
    if result.status == .failed { throw ExitCode(2) }
}

func printAgentResult(_ result: AgentService.Result, format: OutputFormat) throws {
    if format == .json { try printJSON(result); return }
    print(
        "\(result.status.rawValue)\(result.skill.map { " (skill \($0))" } ?? "")\(result.patch.map { ", patch #\($0)" } ?? "")"
    )
    if let reason = result.reason { print("reason: \(reason)") }
    if let branch = result.branch { print("branch: \(branch)") }
    if let pr = result.pr_description { print("PR description: \(pr)") }
    if let v = result.validation {
        print(
            String(
                format:
                    "validation: tests passed; %.2f× faster (95%% CI %.2f–%.2f), Mann–Whitney p = %.2g, %d runs each",
                v.speedup, v.ci95.first ?? .nan, v.ci95.last ?? .nan, v.p_value, v.runs))
    }
    print(String(format: "time: %.1f s", result.seconds))
}

struct FixCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fix",
        abstract:
            "Fix a regression: culprit, skill, patch, guardrails, tests and A/B benchmark, then a new branch with a PR description."
    )
    @Argument(help: "Regression id (see `headroom detect`).") var id: Int64
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var databaseOptions: DatabaseOptions
    @OptionGroup var skills: SkillsOptions
    @OptionGroup var agent: AgentRunOptions
    @OptionGroup var llm: LLMOptions
    @OptionGroup var format: FormatOptions

    func run() async throws {
        let id = id
        try await runAgent(
            store: storeOptions, database: databaseOptions, skills: skills, options: agent, llm: llm,
            format: format.format
        ) { try await $0.fix(regression: id, progress: progressLine) }
    }
}

struct ResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve", abstract: "Turn an opportunity into a validated fix on a new branch, or say why not.")
    @Argument(help: "Opportunity id (see `headroom opportunities`).") var id: Int64
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var databaseOptions: DatabaseOptions
    @OptionGroup var skills: SkillsOptions
    @OptionGroup var agent: AgentRunOptions
    @OptionGroup var llm: LLMOptions
    @OptionGroup var format: FormatOptions

    func run() async throws {
        let id = id
        try await runAgent(
            store: storeOptions, database: databaseOptions, skills: skills, options: agent, llm: llm,
            format: format.format
        ) { try await $0.resolve(opportunity: id, progress: progressLine) }
    }
}

struct OpportunitiesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opportunities",
        abstract:
            "Efficiency opportunities ranked by estimated savings; with --repo, scan that repository against the service's profiles first.",
        discussion: """
            With --database (team mode): the shared PostgreSQL database's profiles measure the cost and its \
            opportunities are listed and replaced, as on the SQLite store; --repo must be a folder on this machine \
            (it is registered in the shared database) or the name of one registered from here.
            """
    )
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var databaseOptions: DatabaseOptions
    @OptionGroup var skills: SkillsOptions
    @Option(help: "Service whose profiles measure the cost.") var service: String?
    @Option(help: "Repository to scan (default: list stored opportunities).") var repo: String?
    @Option(help: "Scan functions with at least this total share of the service's CPU.") var minShare: Double = 0.01
    @Option(help: "Rows to show.") var limit: Int = 50
    @Flag(help: "Per pattern: predicted against measured savings of validated fixes, and the factor the scan uses.")
    var calibration = false
    @OptionGroup var format: FormatOptions

    func run() async throws {
        var arguments: [String: JSONValue] = ["limit": .number(Double(limit)), "min_share": .number(minShare)]
        if let service { arguments["service"] = .string(service) }
        let result: OpportunityList
        let fleetCores: Double
        if let url = databaseOptions.url {
            let skillsRoot = try? skills.root()
            let (repo, service, calibration, listed) = (repo, service, calibration, arguments)
            let answer = try await TeamDatabase.with(url: url) { database in
                let store = database.changeStore
                return try await AsyncBridge.onOwnThread { () throws -> OpportunityList? in
                    if calibration {
                        try Self.showCalibration(SavingsCalibration(store: store), json: format.format == .json)
                        return nil
                    }
                    var arguments = listed
                    if let repo {
                        arguments["repository"] = .string(
                            try Self.registered(repo, service: service, in: RepositoryRegistry(store: store)))
                    }
                    return try database.toolRegistry(skillsRoot: skillsRoot).call(
                        .listOpportunities, .object(arguments))
                }
            }
            guard let answer else { return }
            (result, fleetCores) = (answer, CostModel().fleetCores)
        } else {
            let context = try toolContext(store: storeOptions, skills: skills, output: nil)
            if calibration {
                return try Self.showCalibration(SavingsCalibration(store: context.store), json: format.format == .json)
            }
            if let repo {
                arguments["repository"] = .string(
                    try Self.registered(repo, service: service, in: RepositoryRegistry(store: context.store)))
            }
            result = try HeadroomTools.registry(context).call(.listOpportunities, .object(arguments))
            fleetCores = context.costModel.fleetCores
        }
        if format.format == .json { try printJSON(try JSONValue(encoding: result)); return }
        let rows = result.opportunities
        if rows.isEmpty {
            print("no opportunities\(repo == nil ? " stored; scan with --repo DIR --service S" : " found")")
        }
        for row in rows {
            let share = row.share * 100
            // A saving the recipe cannot deliver is not shown as one (it would head the list's attention).
            let saving =
                row.blocked != nil ? "        blocked" : String(format: "%7.1f cores saved", row.savingsCores)
            print(
                String(
                    format: "#%-4d %@ %6.2f%% %@  %@ (%@:%d)", row.id ?? 0,
                    // %-22@ does not pad on Linux: pad here.
                    row.pattern.padding(toLength: 22, withPad: " ", startingAt: 0) as NSString,
                    share, saving as NSString, row.function as NSString, row.file as NSString, row.line))
            print("      \(row.detail)" + (row.skill.map { " → skill \($0)" } ?? " → no skill yet"))
            if let blocked = row.blocked { print("      recipe would refuse: \(blocked)") }
        }
        if !rows.isEmpty {
            print(
                "cores = measured share × \(Int(fleetCores)) fleet cores (an assumed fleet size) unless the "
                    + "profiles measured them; opportunities a recipe would refuse come last")
        }
    }

    /// The registered name of `repo`: a folder the operator names is registered (tools only take registered
    /// repositories); anything else is taken as a name.
    static func registered(_ repo: String, service: String?, in registry: RepositoryRegistry) throws -> String {
        FileManager.default.fileExists(atPath: repo) ? try registry.register(path: repo, service: service).name : repo
    }

    static func showCalibration(_ calibration: SavingsCalibration, json: Bool) throws {
        let rows = calibration.rows()
        if json {
            try printJSON(
                try JSONValue(encoding: SavingsCalibration.Report(calibration: rows, points: calibration.points)))
            return
        }
        print(
            "pattern                  validated  significant  default  calibrated  predicted/measured  within 2×  over 3×"
        )
        for row in rows {
            // %10@ does not pad on Linux: pad the text columns here.
            func column(_ text: String, _ width: Int) -> String {
                String(repeating: " ", count: max(0, width - text.count)) + text
            }
            let calibrated = column(row.calibratedFactor.map { String(format: "%.2f", $0) } ?? "—", 10)
            let ratio = column(row.medianRatio.map { String(format: "%.2f", $0) } ?? "—", 18)
            print(
                row.pattern.padding(toLength: 24, withPad: " ", startingAt: 0)
                    + String(
                        format: " %9d  %11d  %7.2f  ", row.validations, row.significant, row.defaultFactor)
                    + calibrated + "  " + ratio + String(format: "  %9d  %7d", row.within2x, row.over3x))
        }
        print(
            "saving = measured share × factor; a pattern's factor is calibrated (median of measured saving ÷ share) "
                + "once it has \(SavingsCalibration.minimumPoints) validated fixes; measured saving = 1 − 1/speed-up")
    }
}
