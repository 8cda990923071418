import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomSkills

struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract:
            "Review Headroom's patches: list, show (with the agent's transcript), apply, reject, publish, sync with the forge, sweep for look-alikes.",
        discussion: """
            With --database (team mode), every subcommand works on the patches of the shared PostgreSQL database \
            (apply and reject act on the patch's repository folder, which must be on this machine; sync and sweep \
            read the registered repositories whose folders are here).
            """,
        subcommands: [List.self, Show.self, Apply.self, Reject.self, Publish.self, Sync.self, Sweep.self],
        defaultSubcommand: List.self)

    /// Runs `body` over the patch reviews of the SQLite store or, with --database, of the shared database (on a
    /// thread of its own: team mode's store waits for PostgreSQL).
    static func reviewing<T: Sendable>(
        _ store: StoreOptions, _ database: DatabaseOptions, _ body: @escaping @Sendable (PatchReview) throws -> T
    ) async throws -> T {
        if let url = database.url {
            return try await TeamDatabase.with(url: url) { team in
                try await team.synchronously { try body(PatchReview(store: $0)) }
            }
        }
        return try body(PatchReview(store: try store.open()))
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Patches, newest first.")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var databaseOptions: DatabaseOptions
        @Option(help: "Only this status: proposed, delivered, refused, failed.") var status: String?
        @OptionGroup var format: FormatOptions

        func run() async throws {
            let wanted = try status.map { text -> PatchRecord.Status in
                guard let value = PatchRecord.Status(rawValue: text) else {
                    throw HeadroomError(.badInput, "--status: unknown status \(text)")
                }
                return value
            }
            let patches = try await ReviewCommand.reviewing(storeOptions, databaseOptions) {
                try $0.list(status: wanted)
            }
            if format.format == .json {
                try printJSON(PatchList(patches: patches.map(PatchReport.init)))
                return
            }
            if patches.isEmpty {
                print("no patches yet; run `headroom fix ID` or `headroom resolve ID`")
                return
            }
            func row(_ cells: [String]) -> String {
                zip(cells, [6, 16, 15, 10, 8, 9]).map {
                    $0.padding(toLength: max($1, $0.count), withPad: " ", startingAt: 0)
                }
                .joined(separator: " ") + " " + cells[6]
            }
            print(row(["PATCH", "FOR", "SKILL", "STATUS", "SPEEDUP", "REVIEW", "BRANCH / WHY NOT"]))
            for p in patches {
                let target = "\(p.kind.rawValue) #\(p.regressionID ?? p.opportunityID ?? 0)"
                let gain = p.validation.map { String(format: "%.2f×", $0.speedup) } ?? "-"
                let detail = p.branch ?? p.reason.map { String($0.prefix(110)) } ?? ""
                print(row(["#\(p.id ?? 0)", target, p.skill, p.status.rawValue, gain, p.review.rawValue, detail]))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One patch: diff, validation, PR description path and the agent's transcript.")
        @Argument(help: "Patch id.") var id: Int64
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var databaseOptions: DatabaseOptions
        @OptionGroup var format: FormatOptions

        func run() async throws {
            let id = id
            let p = try await ReviewCommand.reviewing(storeOptions, databaseOptions) { try $0.patch(id) }
            if format.format == .json { try printJSON(p); return }
            print(
                "patch #\(id): \(p.kind.rawValue) #\(p.regressionID ?? p.opportunityID ?? 0), skill \(p.skill), \(p.status.rawValue), review \(p.review.rawValue)"
            )
            if let function = p.function { print("target: `\(function)` in \(p.path ?? "?") (\(p.repository))") }
            if let culprit = p.culprit { print("culprit: \(culprit)") }
            if let reason = p.reason { print("reason: \(reason)") }
            if let branch = p.branch { print("branch: \(branch) (commit \(p.commit?.prefix(12) ?? "?"))") }
            if let pr = p.prDescription { print("PR description: \(pr)") }
            if let v = p.validation {
                print(
                    String(
                        format: "A/B: %.2f× (95%% CI %.2f–%.2f), p = %.2g, %d runs each, median %.1f → %.1f ms",
                        v.speedup,
                        v.ci95.first ?? .nan, v.ci95.last ?? .nan, v.pValue, v.beforeSeconds.count,
                        Descriptive.median(v.beforeSeconds) * 1000, Descriptive.median(v.afterSeconds) * 1000))
            }
            for line in p.summary { print("- \(line)") }
            if !p.diff.isEmpty { print("\n" + p.diff.trimmingCharacters(in: .newlines)) }
            if !p.transcript.isEmpty {
                print("\ntranscript:")
                for (i, step) in p.transcript.enumerated() {
                    switch step.kind {
                    case .tool:
                        print(
                            String(
                                format: "%2d. tool %@ %@ → %@ (%.0f ms)", i + 1, (step.tool ?? "") as NSString,
                                String((step.input?.description ?? "").prefix(140)) as NSString,
                                step.note == "ok"
                                    ? String((step.output?.description ?? "").prefix(140)) as NSString
                                    : step.note as NSString,
                                step.milliseconds))
                    default:
                        print(
                            String(format: "%2d. %@: %@", i + 1, step.kind.rawValue as NSString, step.note as NSString))
                    }
                }
            }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Accept a delivered patch: cherry-pick its commit onto the checked-out branch (clean work tree only) and record it as a prior example for its skill."
        )
        @Argument(help: "Patch id.") var id: Int64
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var databaseOptions: DatabaseOptions
        @Flag(help: "Only record the acceptance (merged elsewhere, e.g. through the PR).") var markOnly = false
        @Option(help: "A note for the record.") var note: String?
        @OptionGroup var skills: SkillsOptions
        @Flag(help: "Do not sweep the registered repositories for look-alikes of the applied fix.") var noSweep = false

        func run() async throws {
            let (id, markOnly, note, noSweep) = (id, markOnly, note, noSweep)
            let skillsRoot = try? skills.root()
            try await ReviewCommand.reviewing(storeOptions, databaseOptions) { review in
                let p = try PatchService(store: review.store, outputDirectory: "").apply(
                    patchID: id, markOnly: markOnly, note: note)
                print(
                    "applied patch #\(id)\(markOnly ? " (recorded only)" : " onto the checked-out branch"); it is now a prior example for skill \(p.skill)"
                )
                guard !noSweep else { return }
                // The apply stands whatever the sweep does: a failed sweep is one line on stderr, and can be rerun.
                do {
                    guard let skillsRoot else { throw HeadroomError(.notFound, "no Skills folder (--skills)") }
                    let catalog = try SkillCatalog.load(root: skillsRoot)
                    Sweep.show(try LearningSweep(store: review.store, catalog: catalog).sweep(after: id))
                } catch {
                    FileHandle.standardError.write(
                        Data(
                            "headroom: the learning sweep failed (\(error)); rerun it with 'headroom review sweep \(id)'\n"
                                .utf8))
                }
            }
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Ask the forge about every published patch awaiting review: merged makes it applied (and sweeps for look-alikes), closed without merging makes it rejected."
        )
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var databaseOptions: DatabaseOptions
        @OptionGroup var skills: SkillsOptions
        @OptionGroup var format: FormatOptions

        /// The answer of `review sync --format json`.
        struct Report: Encodable {
            var patches: [PublishService.SyncOutcome]
            var sweeps: [LearningSweep.Report]
        }

        func run() async throws {
            let catalog = try? SkillCatalog.load(root: try skills.root())
            let (outcomes, sweeps) =
                if let url = databaseOptions.url {
                    try await TeamDatabase.with(url: url) {
                        try await PublishService(store: $0.changeStore).sync(sweeping: catalog)
                    }
                } else {
                    try await PublishService(store: try storeOptions.open()).sync(sweeping: catalog)
                }
            if format.format == .json { return try printJSON(Report(patches: outcomes, sweeps: sweeps)) }
            if outcomes.isEmpty { print("no published patch is awaiting review") }
            for o in outcomes {
                let what =
                    switch o.action {
                    case "applied": "merged: recorded as applied, a prior example for its skill"
                    case "rejected": "closed without merging: recorded as rejected (branch kept)"
                    case "waiting": "still open"
                    default: "not checked: \(o.error ?? "?")"
                    }
                print("patch #\(o.patch) (\(o.url)): \(what)")
            }
            for report in sweeps { Sweep.show(report) }
        }
    }

    struct Sweep: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Look for code of the same shape as an applied patch in every registered repository and file it as opportunities citing the patch (runs after 'review apply')."
        )
        @Argument(help: "Patch id (applied).") var id: Int64
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var databaseOptions: DatabaseOptions
        @OptionGroup var skills: SkillsOptions
        @OptionGroup var format: FormatOptions

        func run() async throws {
            let (catalog, id) = (try SkillCatalog.load(root: try skills.root()), id)
            let report = try await ReviewCommand.reviewing(storeOptions, databaseOptions) { review in
                try LearningSweep(store: review.store, catalog: catalog).sweep(after: id)
            }
            if format.format == .json { try printJSON(report) } else { Self.show(report) }
        }

        static func show(_ report: LearningSweep.Report) {
            if let skipped = report.skipped {
                print("learning sweep: nothing to look for: \(skipped)")
                return
            }
            let blocked = report.filed.filter { $0.blocked != nil }.count
            print(
                "learning sweep (\(report.pattern ?? "?"): \(report.shapes.joined(separator: ", "))): "
                    + "\(report.filed.count - blocked) look-alike(s) filed and \(blocked) near miss(es) listed as blocked, "
                    + "in \(report.files) Python file(s) of \(report.repositories.count) registered repository(ies), citing patch #\(report.patch)"
            )
            for o in report.filed {
                print(
                    "  #\(o.id ?? 0) \(o.file):\(o.line) `\(o.function)`"
                        + (o.blocked.map { " — blocked: \($0)" } ?? ""))
            }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a patch: record why and delete its branch.")
        @Argument(help: "Patch id.") var id: Int64
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var databaseOptions: DatabaseOptions
        @Option(help: "Why (kept with the patch).") var reason: String?
        @Flag(help: "Keep the branch.") var keepBranch = false

        func run() async throws {
            let (id, reason, keepBranch) = (id, reason, keepBranch)
            let deleted = try await ReviewCommand.reviewing(storeOptions, databaseOptions) { review in
                try PatchService(store: review.store, outputDirectory: "").reject(
                    patchID: id, reason: reason, keepBranch: keepBranch
                ).deleted
            }
            print("rejected patch #\(id)\(deleted.map { "; deleted \($0)" } ?? "")")
        }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Publish a delivered patch: push its branch and open (or update) a pull request on GitHub or a merge request on GitLab, with a review requested from the culprit's author ([forge] in headroom.toml)."
        )
        @Argument(help: "Patch id.") var id: Int64
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var databaseOptions: DatabaseOptions
        @Option(help: "The git remote to push to (default: forge.remote, else origin).") var remote: String?
        @OptionGroup var format: FormatOptions

        func run() async throws {
            let result =
                if let url = databaseOptions.url {
                    try await TeamDatabase.with(url: url) { team in
                        try await PublishService(store: team.changeStore).publish(patchID: id, remote: remote)
                    }
                } else {
                    try await PublishService(store: try storeOptions.open()).publish(patchID: id, remote: remote)
                }
            if format.format == .json { return try printJSON(result) }
            print(
                "\(result.created ? "opened" : "updated") \(result.forge == "gitlab" ? "merge request !" : "pull request #")\(result.number): \(result.url)"
            )
            print("  \(result.branch) → \(result.base) (pushed to \(result.remote) at \(result.commit.prefix(12)))")
            if let reviewer = result.reviewer { print("  review requested from \(reviewer)") }
            if let note = result.reviewerNote { print("  no review requested: \(note)") }
        }
    }
}
