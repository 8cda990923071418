import Foundation
import HeadroomCore
import HeadroomStore
import Synchronization

/// What the server's web pages show, read from the store and formatted for people (the templates only lay it out):
/// the fleet overview, one regression (its series with the change point, culprits, patches with their A/B results),
/// and the opportunities ranked by watts. Every figure is the one the CLI and the API give. The store is the SQLite
/// store or team mode's shared database (`TeamStore`; there the inbox, which reads line authors from the SQLite
/// store, is not served yet).
public struct Dashboard: Sendable {
    public let store: any DashboardStore
    public var costs: CostModel
    private let flames = FlameCache()

    public init(store: any DashboardStore, costs: CostModel = CostModel()) {
        self.store = store
        self.costs = costs
    }

    /// A flame graph (differential with `baseline`). Drawing one reads every stack of its range, which takes seconds
    /// on a large store, so drawings are kept: one drawn from the service's current data is served as it is; one
    /// drawn before the service's latest profile is served at once (its subtitle gives the samples it covers) while
    /// one redraw runs in the background; only a graph never drawn is drawn while the page waits.
    public func flameGraph(service: String, range: TimeRange, baseline: TimeRange? = nil) throws -> String {
        let key = "\(service)\u{0}\(range)\u{0}\(baseline.map(\.description) ?? "-")"
        let version = try store.profileVersion(service: service)
        switch flames.lookup(key, version: version) {
        case .fresh(let svg):
            return svg
        case .stale(let svg):
            if flames.beginRefresh(key) {
                let (store, flames) = (self.store, self.flames)
                DispatchQueue.global(qos: .utility).async {
                    defer { flames.endRefresh(key) }
                    guard let version = try? store.profileVersion(service: service),
                        let svg = try? store.flameGraph(service: service, range: range, baseline: baseline)
                    else { return }
                    flames.put(key, version: version, svg: svg)
                }
            }
            return svg
        case .missing:
            let svg = try store.flameGraph(service: service, range: range, baseline: baseline)
            flames.put(key, version: version, svg: svg)
            return svg
        }
    }

    /// A regression's differential flame graph: samples since its onset against the samples before it.
    /// Nothing, for a service the store holds; else a not-found error listing the known ones (checked before a
    /// request's other parameters, so an unknown service is a 404 whatever else is wrong).
    public func requireService(_ name: String) throws { try store.requireService(name) }

    /// One regression, or a not-found error (a page's heading).
    public func regression(_ id: Int64) throws -> Regression { try store.regression(id: id) }

    public func regressionFlameGraph(id: Int64) throws -> String {
        let r = try store.regression(id: id)
        return try flameGraph(
            service: r.service, range: TimeRange(from: r.timestamp), baseline: TimeRange(to: r.previousTimestamp))
    }

    /// Draws the all-time flame graphs of the `limit` largest services and the differential ones of the `limit`
    /// untriaged regressions and improvements of the most cores, so their first view is served from memory (the server runs this in
    /// the background at start; the cache keeps 16). Returns how many were drawn.
    @discardableResult
    public func warmFlameGraphs(limit: Int = 6) -> Int {
        let services = ((try? store.serviceSummaries()) ?? []).sorted { $0.samples > $1.samples }.prefix(limit)
        var drawn = 0
        for summary in services where (try? flameGraph(service: summary.service, range: TimeRange())) != nil {
            drawn += 1
        }
        // Regressions and improvements alike (both have pages), the largest changes first.
        let open = ((try? store.regressions(service: nil)) ?? []).filter { $0.isOpen() }
            .map { ($0, abs(report($0).cores)) }.sorted { $0.1 > $1.1 }.map(\.0)
        for regression in open.prefix(limit) {
            if let id = regression.id, (try? regressionFlameGraph(id: id)) != nil { drawn += 1 }
        }
        return drawn
    }

    /// Whether a redraw of any flame graph is running (tests wait on it).
    public var isRedrawingFlameGraphs: Bool { flames.isRefreshing }

    public struct Card: Sendable {
        public var label: String
        public var value: String
        public var note: String
    }

    public struct ServiceRow: Sendable {
        public var name: String
        public var path: String
        public var samples: String
        public var buckets: Int
        public var from: String
        public var to: String
    }

    public struct RegressionRow: Sendable {
        public var id: Int64
        public var service: String
        public var function: String
        public var metric: String
        public var change: String
        public var shares: String
        public var cores: String
        public var onset: String
        public var culprit: String
        public var triage: String
    }

    public struct JobRow: Sendable {
        public var id: Int64
        /// What the job does: detect-service, fix-regression, scan-opportunities.
        public var kind: String
        public var regression: String
        public var state: String
        public var reason: String
        public var updated: String
    }

    public struct Overview: Sendable {
        public var cards: [Card]
        public var services: [ServiceRow]
        public var regressions: [RegressionRow]
        public var improvements: Int
        public var jobs: [JobRow]
        public var hasServices: Bool { !services.isEmpty }
        public var hasRegressions: Bool { !regressions.isEmpty }
        public var hasJobs: Bool { !jobs.isEmpty }
    }

    public func overview() throws -> Overview {
        let regressions = try store.regressions(service: nil)
        let open = regressions.filter { $0.kind == .regression && $0.isOpen() }
        let reports = open.map(report)
        let openCores = reports.map(\.cores).filter(\.isFinite).reduce(0, +)
        let patches = try store.patches(skill: nil, review: nil, status: nil)
        let delivered = patches.filter { $0.status == .delivered }
        let applied = patches.filter { $0.review == .applied }
        let triage = try TriageService(store: store).summary()
        let rows = try zip(open, reports).sorted { $0.1.cores > $1.1.cores }.map { try row($0.0) }
        return Overview(
            cards: [
                Card(
                    label: "Open regressions", value: "\(open.count)",
                    note: String(format: "%.1f cores at stake", openCores)),
                Card(
                    label: "Fixes delivered", value: "\(delivered.count)",
                    note: "\(applied.count) applied, \(patches.filter { $0.review == .rejected }.count) rejected"),
                Card(
                    label: "Savings delivered",
                    value: String(format: "%.1f cores", delivered.compactMap(savedCores).reduce(0, +)),
                    note: "measured A/B speed-up × the function's cores"),
                Card(
                    label: "False-positive rate",
                    value: triage.falsePositiveRate.map { String(format: "%.0f%%", $0 * 100) } ?? "–",
                    note: "\(triage.invalid) invalid of \(triage.acknowledged + triage.invalid) verdicts"),
            ],
            services: try store.serviceSummaries().map {
                ServiceRow(
                    name: $0.service, path: Self.escapePath($0.service), samples: Self.count($0.samples),
                    buckets: $0.buckets, from: Timestamps.format($0.from), to: Timestamps.format($0.to))
            },
            regressions: rows, improvements: regressions.filter { $0.kind == .improvement }.count,
            jobs: try store.recentJobs(limit: 20).map {
                JobRow(
                    id: $0.id, kind: $0.kind, regression: $0.regressionID.map { "#\($0)" } ?? "–",
                    state: $0.state.rawValue, reason: $0.reason, updated: Timestamps.format($0.updatedAt))
            })
    }

    /// Cores a delivered patch saves: the function's cost times the share of it the speed-up removes.
    func savedCores(_ patch: PatchRecord) -> Double? {
        guard let validation = patch.validation, validation.isSignificantGain, let id = patch.regressionID,
            let regression = try? store.regression(id: id)
        else { return nil }
        let cores = store.costs(for: regression, fallback: costs).cores(forShare: regression.after)
        return cores * (1 - 1 / validation.speedup)
    }

    /// A regression's report, its cores measured by its service's profiles where they say (else the fleet size).
    func report(_ r: Regression) -> RegressionReport {
        RegressionReport(r, costs: store.costs(for: r, fallback: costs))
    }

    func row(_ r: Regression) throws -> RegressionRow {
        let report = report(r)
        let top = try store.candidates(regression: r.id ?? 0).first
        return RegressionRow(
            id: r.id ?? 0, service: r.service, function: r.function.name, metric: r.metric.rawValue,
            change: r.relativeChangeText(), shares: String(format: "%.2f%% → %.2f%%", r.before * 100, r.after * 100),
            cores: report.cores.isFinite ? String(format: "%.1f", report.cores) : "–", onset: report.timestamp,
            culprit: top.map { "\($0.ref.prefix(10)) \($0.message)" } ?? "–",
            triage: r.triage?.verdict.rawValue ?? "open")
    }

    public struct CandidateRow: Sendable {
        public var rank: Int
        public var kind: String
        public var ref: String
        public var author: String
        public var message: String
        public var confidence: String
        public var evidence: [String]
    }

    public struct PatchRow: Sendable {
        public var id: Int64
        public var status: String
        public var review: String
        public var skill: String
        public var branch: String
        public var reason: String
        public var ab: String
        public var diff: String
        public var pending: Bool
        /// The repository has a `[forge]`: a Publish button is offered for a pending delivered patch.
        public var publishable: Bool
        /// The pull (merge) request it was published as.
        public var pullRequest: String?
    }

    public struct RegressionPage: Sendable {
        public var row: RegressionRow
        public var chart: String
        public var detail: [String]
        public var candidates: [CandidateRow]
        public var patches: [PatchRow]
        public var triaged: Bool
        public var note: String
        public var hasCandidates: Bool { !candidates.isEmpty }
        public var hasPatches: Bool { !patches.isEmpty }
    }

    public func regression(id: Int64) throws -> RegressionPage {
        let r = try store.regression(id: id)
        let report = report(r)
        let series = try store.functionSeries(service: r.service, function: r.function)
        let points = series.map { point -> (Int64, Double) in
            let samples = r.metric == .selfShare ? point.selfSamples : point.totalSamples
            return (point.bucket, point.total > 0 ? Double(samples) / Double(point.total) : 0)
        }
        let chart = ShareChart(
            points: points, onset: r.timestamp, before: r.before, after: r.after,
            title: "\(r.function.name) — \(r.metric.rawValue) share of \(r.service)'s CPU per bucket"
        ).svg()
        var detail = [
            "\(r.kind.rawValue) of \(r.function.name)\(r.function.file.map { " (\($0))" } ?? "") in \(r.service)",
            String(
                format: "%@ share %.2f%% → %.2f%% (%@), %.1f cores, %.0f W at %.0f fleet cores", r.metric.rawValue,
                r.before * 100, r.after * 100, r.relativeChangeText(), report.cores, report.watts,
                costs.fleetCores),
            "onset between \(report.previousTimestamp) and \(report.timestamp); p = \(String(format: "%.2g", r.pValue))",
        ]
        if !report.members.isEmpty { detail.append("same event: " + report.members.joined(separator: ", ")) }
        let candidates = try store.candidates(regression: id).enumerated().map { rank, c in
            CandidateRow(
                rank: rank + 1, kind: c.kind.rawValue, ref: String(c.ref.prefix(12)),
                author: c.author.isEmpty ? "unknown author" : c.author, message: c.message,
                confidence: String(format: "%.0f%%", c.confidence * 100), evidence: c.evidence)
        }
        let patches = try store.patches(skill: nil, review: nil, status: nil).filter { $0.regressionID == id }.map {
            p in
            PatchRow(
                id: p.id ?? 0, status: p.status.rawValue, review: p.review.rawValue, skill: p.skill,
                branch: p.branch ?? "–", reason: p.reason ?? "",
                ab: p.validation.map {
                    String(
                        format: "%.2f× faster (95%% CI %.2f–%.2f), Mann–Whitney p = %.2g, %d runs each%@", $0.speedup,
                        $0.ci95.first ?? .nan, $0.ci95.last ?? .nan, $0.pValue, $0.beforeSeconds.count,
                        $0.testsPassed ? ", tests passed" : ", tests FAILED")
                } ?? "not validated",
                diff: p.diff, pending: p.status == .delivered && p.review == .pending,
                publishable: p.status == .delivered && p.review == .pending
                    && ((try? PublishService.forge(repository: p.repository)) ?? nil) != nil,
                pullRequest: try store.publication(patch: p.id ?? 0)?.url)
        }
        return RegressionPage(
            row: try row(r), chart: chart, detail: detail, candidates: candidates, patches: patches,
            triaged: r.triage != nil, note: r.triage?.note ?? "")
    }

    public struct OpportunityRow: Sendable {
        public var id: Int64
        public var service: String
        public var function: String
        public var location: String
        public var pattern: String
        public var share: String
        public var saving: String
        public var watts: String
        public var status: String
    }

    /// Opportunities, the largest saving in watts first; blocked ones last.
    public func opportunities() throws -> [OpportunityRow] {
        try store.opportunities(service: nil).sorted {
            ($0.blocked == nil ? 0 : 1, -$0.savingsWatts) < ($1.blocked == nil ? 0 : 1, -$1.savingsWatts)
        }.map { o in
            OpportunityRow(
                id: o.id ?? 0, service: o.service, function: o.function, location: "\(o.file):\(o.line)",
                pattern: o.pattern, share: String(format: "%.2f%%", o.share * 100),
                saving: String(format: "%.1f cores", o.savingsCores), watts: String(format: "%.0f W", o.savingsWatts),
                status: o.blocked.map { "blocked: \($0)" } ?? "open")
        }
    }

    /// One row of a person's inbox page.
    public struct InboxRow: Sendable {
        public var kind: String
        public var id: Int64
        public var service: String
        public var function: String
        public var path: String
        public var cores: String
        public var summary: String
        public var because: String
        /// The regression's page, for a regression (`hasLink`); the templates read stored fields only.
        public var link: String
        public var hasLink: Bool
    }

    /// One section of a person's inbox page.
    public struct InboxSection: Sendable {
        public var title: String
        public var items: [InboxRow]
        public var hasItems: Bool
    }

    /// A person's inbox (`InboxService`), laid out as the page's three sections.
    public func inbox(person: String) throws -> [InboxSection] {
        guard let program = store as? any ProgramStore else {
            throw HeadroomError(.refused, "this store keeps no program records, so it has no inboxes")
        }
        let report = try InboxService(store: program, costs: costs).inbox(for: person)
        func rows(_ items: [InboxReport.Item]) -> [InboxRow] {
            items.map {
                InboxRow(
                    kind: $0.kind, id: $0.id, service: $0.service, function: $0.function, path: $0.path ?? "",
                    cores: String(format: "%.3f", $0.cores), summary: $0.summary, because: $0.because,
                    link: "/regressions/\($0.id)", hasLink: $0.kind == "regression")
            }
        }
        return [
            ("Regressions to review", report.regressions), ("Fixes awaiting your review", report.patches),
            ("Opportunities in your code", report.opportunities),
        ].map { InboxSection(title: $0.0, items: rows($0.1), hasItems: !$0.1.isEmpty) }
    }

    static func count(_ n: Int64) -> String {
        n >= 1_000_000
            ? String(format: "%.1fM", Double(n) / 1e6) : n >= 10_000 ? String(format: "%.0fk", Double(n) / 1e3) : "\(n)"
    }

    /// A service name as one URL path segment.
    public static func escapePath(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/")))
            ?? text
    }
}

/// A function's share per bucket as a small SVG line chart: the series, the levels before and after, and the change
/// point as a vertical line. Self-contained (no script, no fonts beyond the system's).
public struct ShareChart: Sendable {
    public var points: [(time: Int64, share: Double)]
    public var onset: Int64
    public var before: Double
    public var after: Double
    public var title: String
    public var width = 900.0
    public var height = 260.0

    public init(points: [(Int64, Double)], onset: Int64, before: Double, after: Double, title: String) {
        self.points = points.map { (time: $0.0, share: $0.1) }
        self.onset = onset
        self.before = before
        self.after = after
        self.title = title
    }

    public func svg() -> String {
        let left = 56.0
        let right = 16.0
        let top = 28.0
        let bottom = 36.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        guard let first = points.first?.time, let last = points.last?.time else {
            return
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"40\"><text x=\"8\" y=\"24\">no series</text></svg>"
        }
        let span = Double(max(last - first, 1))
        let ceiling = max(points.map(\.share).max() ?? 0, before, after, 0.0001) * 1.15
        func x(_ t: Int64) -> Double { left + Double(t - first) / span * plotWidth }
        func y(_ s: Double) -> Double { top + plotHeight - s / ceiling * plotHeight }
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="\(Self.escape(title))" \
            font-family="sans-serif" font-size="12">
            <title>\(Self.escape(title))</title>
            <rect x="0" y="0" width="\(Int(width))" height="\(Int(height))" fill="#fff"/>
            <text x="\(Int(left))" y="18" font-weight="bold">\(Self.escape(title))</text>

            """
        for tick in 0...4 {
            let share = ceiling * Double(tick) / 4
            let ty = y(share)
            out += String(
                format:
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%.1f%%</text>\n",
                left, ty, width - right, ty, left - 6, ty + 4, share * 100)
        }
        let line = points.map { String(format: "%.1f,%.1f", x($0.time), y($0.share)) }.joined(separator: " ")
        out += "<polyline fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"1.5\" points=\"\(line)\"/>\n"
        let onsetX = x(min(max(onset, first), last))
        out += String(
            format:
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d1242f\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n",
            onsetX, top, onsetX, top + plotHeight)
        out += String(
            format:
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#6e7781\" stroke-dasharray=\"2 3\"/>\n",
            left, y(before), onsetX, y(before))
        out += String(
            format:
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#6e7781\" stroke-dasharray=\"2 3\"/>\n",
            onsetX, y(after), width - right, y(after))
        out += String(
            format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"#d1242f\">change point %@</text>\n", onsetX + 6, top + 14,
            Timestamps.format(onset))
        out += String(
            format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\">%@</text>\n", left, height - 10,
            Timestamps.format(first))
        out += String(
            format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%@</text>\n", width - right,
            height - 10, Timestamps.format(last))
        return out + "</svg>"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// The most recent flame graphs drawn, each with the data version it was drawn from, and the redraws under way.
final class FlameCache: Sendable {
    enum Lookup {
        case fresh(String)
        case stale(String)
        case missing
    }

    private struct State {
        var entries: [(key: String, version: String, svg: String)] = []
        var refreshing: Set<String> = []
    }
    private let state = Mutex(State())
    private let capacity = 16

    func lookup(_ key: String, version: String) -> Lookup {
        state.withLock { state in
            guard let entry = state.entries.first(where: { $0.key == key }) else { return .missing }
            return entry.version == version ? .fresh(entry.svg) : .stale(entry.svg)
        }
    }

    func put(_ key: String, version: String, svg: String) {
        state.withLock { state in
            state.entries.removeAll { $0.key == key }
            state.entries.insert((key, version, svg), at: 0)
            if state.entries.count > capacity { state.entries.removeLast(state.entries.count - capacity) }
        }
    }

    /// Claims the one redraw of `key`; false when one is already running.
    func beginRefresh(_ key: String) -> Bool { state.withLock { $0.refreshing.insert(key).inserted } }

    func endRefresh(_ key: String) { state.withLock { _ = $0.refreshing.remove(key) } }

    var isRefreshing: Bool { state.withLock { !$0.refreshing.isEmpty } }
}
