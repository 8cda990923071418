import Foundation
import HeadroomCore
import HeadroomSkills
import HeadroomSource
import HeadroomStore

/// Finds efficiency opportunities: hot functions from the service's recent profiles, read with Python's `ast` for
/// patterns with known fixes (constant regexes compiled per call, eager logging, loop-invariant serialization and
/// lookups, memoizable pure functions called in loops, clients built per call, exceptions as control flow). Each
/// finding's cost is measured from the stacks: the samples in the pattern's library frames under the function
/// when the profile has them, else the function's own share.
public struct OpportunityScanner: Sendable {
    /// The store of profiles and opportunities: the SQLite store, or team mode's shared database.
    public let store: any RegressionStore & OpportunityStore
    /// The Python helper that finds patterns in source.
    public var python: PythonAST
    /// The Go helper that finds patterns in Go source.
    public var go = GoAST()
    /// The cost model behind cores and watts.
    public var costModel: CostModel
    /// Functions below this total share of the service's CPU are not scanned.
    public var minimumShare: Double
    /// The most recent buckets the cost is measured over.
    public var buckets: Int
    /// An opportunity whose measured cost (the code its fix changes) is below this share of the service's CPU is
    /// listed as blocked: whatever the fix, it cannot save a measurable amount (0.5%).
    public var minimumOpportunityShare = 0.005

    /// A scanner over `store`.
    public init(
        store: any RegressionStore & OpportunityStore, python: PythonAST = PythonAST(),
        costModel: CostModel = CostModel(), minimumShare: Double = 0.01, buckets: Int = 6
    ) {
        self.store = store
        self.python = python
        self.costModel = costModel
        self.minimumShare = minimumShare
        self.buckets = buckets
    }

    /// Per pattern: frames (file or name substrings) that carry its cost below the function, how much of that cost a
    /// fix typically removes, and what a fix must show.
    static let patterns: [String: (frames: [String], reduction: Double, criterion: String)] = [
        "regex-compile": (
            [
                "re/__init__.py", "/re.py", "sre_compile", "sre_parse", "re/_compiler", "re/_parser", "_compile",
                "regexp.compile", "regexp/syntax",
            ], 0.8,
            "no `re` call with a constant pattern left in the function"
        ),
        "logging": (
            ["logging/__init__.py", "__repr__", "__format__", "__str__", "fmt.Sprintf", "encoding/json.Marshal"], 0.9,
            "no eager, unguarded logging call left; output unchanged when the level is enabled"
        ),
        "loop-invariant": (
            ["json/encoder.py", "json/decoder.py", "json/__init__.py", "copy.py"], 0.8,
            "the hoisted expressions are computed once per call, not per iteration"
        ),
        "memoize": ([], 0.7, "results unchanged for equal arguments; the cache is bounded"),
        "client-construction": (
            ["requests/", "http/client.py", "socket.py", "ssl.py", "urllib3/", "sqlite3"], 0.8,
            "one client or connection reused across calls"
        ),
        "exception-control-flow": (["__init__"], 0.5, "no exception raised on the common path"),
        "membership": ([], 0.7, "each membership test in the loop is one hash lookup; results unchanged"),
        "string-concat": (
            ["runtime.concatstring", "runtime.rawstring"], 0.2,
            "the string is built once (a join, a builder) after the loop; the same text"
        ),
        // Go's strings are immutable: `s += x` in a loop copies the whole string each time (no in-place growth as
        // CPython has), so a builder removes nearly all of that cost.
        "go:string-concat": (
            ["runtime.concatstring", "runtime.rawstring"], 0.9,
            "the string is built once by a strings.Builder; the same text"
        ),
        "preallocate": (
            ["runtime.growslice", "runtime/slice.go"], 0.6,
            "the slice is allocated once with its final capacity; the same elements"
        ),
        "defer-in-loop": (
            ["runtime.deferproc", "runtime.deferreturn"], 0.5,
            "each iteration's deferred call runs at the end of that iteration; same results"
        ),
        "constant-parse": (
            ["_strptime.py", "json/decoder.py", "json/__init__.py", "ipaddress.py", "uuid.py", "fractions.py"], 0.9,
            "each constant is parsed once at import; the same values"
        ),
    ]

    /// Scans `repository` for `service` and stores the opportunities (replacing the previous scan's).
    public func scan(service: String, repository: String, skills: SkillCatalog?) throws -> [Opportunity] {
        let git = try Git(path: repository)
        let all = try store.buckets(service: service)
        guard let last = all.last else {
            throw HeadroomError(.notFound, "no profiles for service \(service); ingest or record some first")
        }
        let from = all.suffix(buckets).first ?? last
        let costModel = store.costs(service: service, since: from, fallback: self.costModel)
        let stacks = try store.stacks(service: service, from: from, to: last, label: nil)
        let total = Double(stacks.totalSamples)
        guard total > 0 else { throw HeadroomError(.notFound, "no stacks for service \(service)") }
        var totals: [FunctionRef: Int64] = [:]
        var selfs: [FunctionRef: Int64] = [:]
        for stack in stacks.stacks {
            for frame in Set(stack.frames) { totals[frame, default: 0] += stack.samples }
            if let leaf = stack.frames.last { selfs[leaf, default: 0] += stack.samples }
        }
        let tracked = try git.run(["ls-files", "-z", "--", "*.py", "*.go"]).split(separator: "\0").map(String.init)
            .filter { !$0.hasSuffix("_test.go") }
        var hot: [String: [FunctionRef]] = [:]  // repository path → hot frames in it
        for (frame, samples) in totals.sorted(by: { $0.value > $1.value }) where Double(samples) / total >= minimumShare
        {
            guard let file = frame.file, let path = tracked.first(where: { FunctionRef.pathsMatch($0, file) }) else {
                continue
            }
            hot[path, default: []].append(frame)
        }
        let head = try git.resolve("HEAD")
        let callers = tracked.filter { $0.hasSuffix(".py") }.prefix(400).compactMap { path in
            git.show(head, path: path).map { (path, $0) }
        }
        let files = hot.keys.sorted().compactMap { path -> (String, String, [String])? in
            guard let source = git.show(head, path: path) else { return nil }
            let names = hot[path]!.flatMap { frame in
                path.hasSuffix(".go")
                    ? [GoNames.enclosing(frame.name), GoNames.short(frame.name)] : [RuleNames.short(frame.name)]
            }
            return (path, source, names)
        }
        var findings = try python.scan(
            files: files.filter { $0.0.hasSuffix(".py") }.map { (path: $0.0, source: $0.1, functions: $0.2) },
            callers: callers.map { (path: $0.0, source: $0.1) })
        for (path, functions) in try scanGo(files.filter { $0.0.hasSuffix(".go") }, git: git, head: head) {
            findings[path] = functions
        }
        let accepted = try store.patches(skill: nil, review: .applied, status: nil)
        let calibration = try SavingsCalibration(store: store)
        var out: [Opportunity] = []
        for (path, functions) in findings {
            for (qualname, list) in functions {
                let isGo = path.hasSuffix(".go")
                guard
                    let frame = hot[path]?.first(where: {
                        isGo
                            ? GoNames.enclosing($0.name) == qualname
                            : RuleNames.short($0.name) == RuleNames.short(qualname)
                    })
                else { continue }
                var seen = Set<String>()
                for finding in list where seen.insert(finding.pattern).inserted {
                    let spec =
                        (isGo ? Self.patterns["go:" + finding.pattern] : nil) ?? Self.patterns[finding.pattern]
                        ?? ([], 0.5, "a measurable gain")
                    let factor = calibration.factor(pattern: finding.pattern, defaultFactor: spec.reduction)
                    let spans = (finding.lines ?? []).compactMap { $0.count == 2 ? $0[0]...max($0[0], $0[1]) : nil }
                    let lines =
                        spans.isEmpty
                        ? [:] : try store.lineCosts(service: service, function: frame, from: from, to: last)
                    let (share, basis, frames) =
                        measureLines(spans, lines: lines, function: totals[frame] ?? 0, total: total)
                        ?? measure(
                            frame, pattern: spec.frames, finding: finding.pattern,
                            stacks: stacks.stacks, total: total, totals: totals, selfs: selfs)
                    let skill = skills?.skills.first {
                        $0.patterns.contains(finding.pattern) && $0.supports(path: path)
                    }?
                    .name
                    let examples = accepted.filter { $0.skill == skill }.prefix(3).map { patch in
                        "patch #\(patch.id ?? 0) on \(patch.branch ?? "?")"
                            + (patch.validation.map { String(format: ", %.2f× faster", $0.speedup) } ?? "")
                    }
                    var evidence = [
                        finding.detail,
                        String(
                            format: "`%@` runs on %.2f%% of %@'s samples (%.2f%% self) over the last %d bucket(s)",
                            qualname as NSString, Double(totals[frame] ?? 0) / total * 100, service as NSString,
                            Double(selfs[frame] ?? 0) / total * 100, min(buckets, all.count)),
                    ]
                    if basis == "source-lines" {
                        evidence.append(
                            String(
                                format:
                                    "%@ of `%@` (the statements the fix changes) run on %.2f%% of the service's samples in the same window",
                                frames.joined(separator: ", ") as NSString, qualname as NSString, share * 100))
                    } else if !frames.isEmpty {
                        evidence.append("pattern frames under it: " + frames.joined(separator: ", "))
                    }
                    out.append(
                        Opportunity(
                            service: service, function: qualname, file: path, line: finding.line,
                            pattern: finding.pattern,
                            skill: skill, share: share, shareBasis: basis, cores: costModel.cores(forShare: share),
                            watts: costModel.watts(forShare: share),
                            savingsCores: costModel.cores(forShare: share * factor),
                            savingsWatts: costModel.watts(forShare: share * factor), detail: finding.detail,
                            blocked: finding.blocked ?? tooSmall(share), repository: git.root, evidence: evidence,
                            validationCriteria: [
                                "tests pass before and after", spec.criterion,
                                "interleaved A/B of ≥10 runs each: Mann–Whitney p < 0.05 and the 95% CI of the speed-up at or above 1.03",
                            ],
                            priorExamples: Array(examples)))
                }
            }
        }
        out.sort { ($0.blocked == nil ? 1 : 0, $0.savingsCores) > ($1.blocked == nil ? 1 : 0, $1.savingsCores) }
        return try store.replaceOpportunities(service: service, repository: git.root, with: out)
    }

    /// The Go files' findings, from the Go helper with each file's package (its folder's other Go files) for types;
    /// none when no Go file is hot.
    func scanGo(_ files: [(String, String, [String])], git: Git, head: String) throws -> [String: [String:
        [ScanFinding]]]
    {
        guard !files.isEmpty else { return [:] }
        let folders = Set(files.map { ($0.0 as NSString).deletingLastPathComponent })
        let listed = try git.run(["ls-files", "-z", "--", "*.go"]).split(separator: "\0").map(String.init)
        let package = listed.filter {
            !$0.hasSuffix("_test.go") && folders.contains(($0 as NSString).deletingLastPathComponent)
        }
        .prefix(400).compactMap { path in git.show(head, path: path).map { (path: path, source: $0) } }
        return try go.scan(files: files.map { (path: $0.0, source: $0.1, functions: $0.2) }, package: Array(package))
    }

    /// The share of the source lines a fix changes, where the profiles name lines (py-spy): samples with the
    /// function at one of those lines anywhere in the stack, the statement's callees included. Nil when the profiles
    /// have no lines for the function, or the finding names none.
    /// The block of an opportunity too small to be worth a patch, or nil.
    public func tooSmall(_ share: Double) -> String? {
        guard share < minimumOpportunityShare else { return nil }
        return String(
            format:
                "the code it changes runs on %.2f%% of the service's samples, under the %.1f%% a fix must be able to save",
            share * 100, minimumOpportunityShare * 100)
    }

    func measureLines(
        _ spans: [ClosedRange<Int>], lines: [Int: (selfSamples: Int64, totalSamples: Int64)], function: Int64,
        total: Double
    ) -> (Double, String, [String])? {
        guard !spans.isEmpty, !lines.isEmpty else { return nil }
        var samples: Int64 = 0
        for (line, cost) in lines where spans.contains(where: { $0.contains(line) }) { samples += cost.totalSamples }
        // A sample through two of the spans (recursion) counts once in the function's total: never more than it.
        samples = min(samples, function)
        let names = spans.map { $0.count == 1 ? "line \($0.lowerBound)" : "lines \($0.lowerBound)–\($0.upperBound)" }
        return (Double(samples) / total, "source-lines", names)
    }

    /// The pattern's measured share: samples of stacks through `frame` with a pattern frame below it; else the
    /// function's total share (memoize, or no library frames in the profile) or self share (lookups, exceptions).
    func measure(
        _ frame: FunctionRef, pattern: [String], finding: String, stacks: [StoredStack], total: Double,
        totals: [FunctionRef: Int64], selfs: [FunctionRef: Int64]
    ) -> (Double, String, [String]) {
        if !pattern.isEmpty {
            var samples: Int64 = 0
            var names: [String: Int64] = [:]
            for stack in stacks {
                guard let index = stack.frames.firstIndex(of: frame) else { continue }
                if let hit = stack.frames[(index + 1)...].first(where: { below in
                    pattern.contains { (below.file ?? "").contains($0) || below.name.contains($0) }
                }) {
                    samples += stack.samples
                    names[hit.name, default: 0] += stack.samples
                }
            }
            if samples > 0 {
                return (
                    Double(samples) / total, "pattern-frames",
                    names.sorted { $0.value > $1.value }.prefix(3).map { $0.key }
                )
            }
        }
        if finding == "memoize" || finding == "client-construction" || finding == "regex-compile"
            || finding == "logging"
        {
            return (Double(totals[frame] ?? 0) / total, "function-total", [])
        }
        return (Double(selfs[frame] ?? 0) / total, "function-self", [])
    }
}

enum RuleNames {
    /// `Class.method` → `method`; py-spy names frames by function name only.
    static func short(_ name: String) -> String {
        let base = name.split(separator: "(").first.map(String.init) ?? name
        return base.split(separator: ".").last.map(String.init) ?? base
    }
}
