import Foundation
import HeadroomCore

/// Computes one candidate's features and the evidence lines behind them (see `RootCauseRanker`).
struct CandidateScorer {
    let context: RootCauseContext
    let regression: Regression
    let windowStart: Int64
    let windowEnd: Int64
    /// Frames on the rising stacks with the rise through each.
    let rising: [FunctionRef: Double]

    init(context: RootCauseContext) {
        self.context = context
        regression = context.regression
        (windowStart, windowEnd) = RootCauseContext.onsetWindow(regression, bucketSeconds: context.bucketSeconds)
        rising = context.attribution?.framesOnRisingStacks ?? [:]
    }

    var lead: FunctionRef { regression.function }
    var riseText: String {
        String(format: "%.2f-point rise in ", (regression.after - regression.before) * 100)
            + "`\(lead.name)` \(regression.metric == .selfShare ? "self" : "total") share "
            + String(format: "(%.2f%% → %.2f%%)", regression.before * 100, regression.after * 100)
    }

    func score(_ change: LiveChange) -> RootCauseCandidate {
        let commit = change.commit
        var features: [String: Double] = [:]
        var evidence: [String] = []
        let who = "\(short(commit.sha)) (\(commit.author))"

        // Which changed functions are the regressed one, a member of its event, or on its rising stacks.
        let leadDelta = max(regression.after - regression.before, 1e-12)
        var touch = 0.0
        var onStack: [ChangedFunction] = []
        for changed in commit.functions {
            if CodeMatcher.matches(frame: lead, changed: changed) {
                touch = 1
                onStack.append(changed)
            } else if let member = regression.members.first(where: {
                CodeMatcher.matches(frame: $0.function, changed: changed)
            }) {
                let weight =
                    member.metric == .selfShare ? min(1, max(0, (member.after - member.before) / leadDelta)) : 0.5
                touch = max(touch, weight)
                onStack.append(changed)
            } else if rising.keys.contains(where: { CodeMatcher.matches(frame: $0, changed: changed) }) {
                onStack.append(changed)
            }
        }
        features["touch"] = touch
        features["stack"] = onStack.isEmpty ? 0 : 1

        // Attribution of the added samples.
        var attribution = touch
        if let stacks = context.attribution, !stacks.isEmpty {
            attribution = 0
            for changed in onStack {
                let matching = { (frame: FunctionRef) in CodeMatcher.matches(frame: frame, changed: changed) }
                let share = stacks.share(where: matching)
                let even = stacks.uniformity(where: matching)
                let value = share * (even ?? 1)
                if value > attribution || (attribution == 0 && share > 0) { attribution = value }
                guard share > 0 else { continue }
                var line =
                    "\(who) changed `\(changed.name)` in \(changed.file) (+\(changed.linesAdded) −\(changed.linesRemoved))"
                    + (changed.change == .renamed ? " (renamed from `\(changed.previousName ?? "?")`)" : "")
                    + String(format: ", which holds %.0f%% of the ", share * 100) + riseText
                if let even, even < 0.6 {
                    line += String(
                        format: "; but only some of its callers rose (evenness %.2f), so the cause is "
                            + "more likely a caller", even)
                }
                evidence.append(line)
            }
        } else {
            for changed in onStack {
                evidence.append(
                    "\(who) changed `\(changed.name)` in \(changed.file), "
                        + (CodeMatcher.matches(frame: lead, changed: changed)
                            ? "the function that carries the " : "which is in the same event as the ") + riseText)
            }
        }
        // Configuration keys read by the regressed code: the reader is what the change touched.
        let (config, reader, configLine) = configFeature(commit)
        if let reader {
            var value = reader == lead ? 1.0 : 0.5
            if let stacks = context.attribution, !stacks.isEmpty {
                let matching = { (frame: FunctionRef) in frame == reader }
                value = stacks.share(where: matching) * (stacks.uniformity(where: matching) ?? 1)
            }
            attribution = max(attribution, value)
        }
        features["config"] = config
        if let configLine { evidence.append("\(who) " + configLine) }
        features["attribution"] = attribution

        // Files.
        var file = 0.0
        if let leadFile = lead.file, commit.files.contains(where: { FunctionRef.pathsMatch($0, leadFile) }) {
            file = 1
        } else if commit.files.contains(where: { path in
            rising.keys.contains { CodeMatcher.inFile(frame: $0, path: path) }
        }) {
            file = 0.5
        } else if let leadFile = lead.file {
            let directory = (leadFile as NSString).deletingLastPathComponent
            if !directory.isEmpty,
                commit.files.contains(where: { ($0 as NSString).deletingLastPathComponent.hasSuffix(directory) })
            {
                file = 0.25
            }
        }
        features["file"] = file
        if onStack.isEmpty, file == 1, let leadFile = lead.file {
            evidence.append("\(who) touched \(leadFile), the regressed function's file, but not `\(lead.name)`")
        }

        // Content.
        let touchedLines = onStack.isEmpty ? commit.functions : onStack
        let signals = ContentSignal.find(
            added: touchedLines.flatMap(\.addedText), removed: touchedLines.flatMap(\.removedText))
        var content = 0.0
        if let (signal, line) = signals.first {
            let hinted = rising.keys.contains { frame in frame != lead && signal.hinted(by: frame.name) }
            content = onStack.isEmpty ? 0.2 : (hinted ? 1 : 0.6)
            if !onStack.isEmpty {
                evidence.append(
                    "its \(signal.rawValue) code: `\(line.prefix(100))`"
                        + (hinted ? " — and the rising stacks run \(signal.rawValue) frames" : ""))
            }
        }
        features["content"] = content

        features["time"] = timing(change.liveAt)
        features["service"] = change.deploy != nil ? 1 : (commit.service == regression.service ? 1 : 0.5)
        features["size"] = min(1, log10(1 + Double(commit.linesAdded + commit.linesRemoved)) / 3)
        if let deploy = change.deploy {
            evidence.append(
                "deployed \(Timestamps.format(deploy.time)) to \(deploy.service) with "
                    + "\(change.deploySize) commit\(change.deploySize == 1 ? "" : "s") (deploy of \(short(deploy.commit))); "
                    + onsetText)
        } else {
            evidence.append("configuration committed \(Timestamps.format(commit.time)); " + onsetText)
        }
        if onStack.isEmpty, reader == nil {
            evidence.append("touched none of the functions on the regressed stacks")
        }
        return RootCauseCandidate(
            kind: commit.kind == .config ? .config : .commit, ref: commit.sha, author: commit.author,
            email: commit.email, message: commit.message, score: 0, evidence: evidence, functions: onStack,
            features: features, liveAt: change.liveAt)
    }

    func score(opaque deploy: Deploy) -> RootCauseCandidate {
        let features = ["time": timing(deploy.time), "service": 1.0]
        return RootCauseCandidate(
            kind: .deploy, ref: deploy.commit, author: "", email: "", message: "deploy of \(short(deploy.commit))",
            score: 0,
            evidence: [
                "deploy of \(short(deploy.commit)) to \(deploy.service) at \(Timestamps.format(deploy.time)); "
                    + "its commits are not imported (headroom changes import), so only its timing is known; "
                    + onsetText
            ],
            functions: [], features: features, liveAt: deploy.time)
    }

    var onsetText: String {
        "onset between \(Timestamps.format(windowStart)) and \(Timestamps.format(windowEnd))"
    }

    /// 1 inside the onset window; outside, exp(−distance / window width).
    func timing(_ time: Int64) -> Double {
        if time > windowStart && time <= windowEnd { return 1 }
        let width = Double(max(windowEnd - windowStart, context.bucketSeconds))
        let distance = Double(time <= windowStart ? windowStart - time : time - windowEnd)
        return exp(-distance / width)
    }

    /// 1 when a changed key's name appears in the code of the regressed function or its rising stacks; 0.1 when
    /// keys changed but none is read there.
    func configFeature(_ commit: Commit) -> (Double, FunctionRef?, String?) {
        guard !commit.configKeys.isEmpty else { return (0, nil, nil) }
        let readers = [lead] + rising.sorted { $0.value > $1.value }.map(\.key).filter { $0 != lead }
        for key in commit.configKeys {
            let leaf = key.leaf
            guard leaf.count >= 3 else { continue }
            for function in readers {
                guard let code = context.code[function], Self.mentions(code, leaf) else { continue }
                let change = "\(key.oldValue ?? "(none)") → \(key.newValue ?? "(removed)")"
                return (
                    1, function,
                    "changed `\(key.key)` \(change) in \(key.file); `\(function.name)`"
                        + (function == lead ? ", the regressed function," : " (on the regressed stacks)")
                        + " reads `\(leaf)`"
                )
            }
        }
        let keys = commit.configKeys.prefix(3).map { "`\($0.key)`" }.joined(separator: ", ")
        return (0.1, nil, "changed configuration \(keys), which the regressed code does not read")
    }

    /// Whether `word` appears in `code` as a whole identifier or quoted key.
    static func mentions(_ code: String, _ word: String) -> Bool {
        var search = code.startIndex..<code.endIndex
        while let found = code.range(of: word, range: search) {
            let before = found.lowerBound == code.startIndex ? " " : code[code.index(before: found.lowerBound)]
            let after = found.upperBound == code.endIndex ? " " : code[found.upperBound]
            let isPart = { (c: Character) in c.isLetter || c.isNumber || c == "_" }
            if !isPart(before) && !isPart(after) { return true }
            search = found.upperBound..<code.endIndex
        }
        return false
    }

    func short(_ sha: String) -> String { String(sha.prefix(7)) }
}
