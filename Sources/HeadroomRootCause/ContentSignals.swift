import Foundation

/// Kinds of code that typically cost CPU, recognised in a change's added (and, for caches, removed) lines and in
/// profile frame names.
public enum ContentSignal: String, Sendable, CaseIterable {
    case logging, serialization, regex, loop, copying, cacheRemoved = "cache removed", exception

    /// Added-line patterns; `cacheRemoved` looks at removed lines instead.
    var patterns: [String] {
        switch self {
        case .logging: ["logger.", "logging.", "log.debug", "log.info", "print(", "Logger(", "NSLog(", "os_log("]
        case .serialization:
            [
                "json.dumps", "json.loads", "pickle.", "yaml.", "JSONEncoder", "JSONDecoder",
                "JSONSerialization", "marshal", "serialize", "to_json", "Codable",
            ]
        case .regex:
            [
                "re.compile", "re.match", "re.search", "re.sub", "re.findall", "re.fullmatch",
                "NSRegularExpression", "Regex(", "regexp.",
            ]
        case .loop: ["for ", "while ", " in range(", ".map {", ".forEach", ".filter {", "sorted(", ".sort("]
        case .copying: ["deepcopy", "copy.copy", ".copy()", "list(", "dict("]
        case .cacheRemoved: ["lru_cache", "@cache", "functools.cache", "memo", "cache["]
        case .exception: ["raise ", "except ", "try:", "throw ", "catch"]
        }
    }

    /// Frame-name fragments that show this kind of work on a stack.
    var frameHints: [String] {
        switch self {
        case .logging: ["logging", "Logger", "log", "debug", "format", "emit", "handle"]
        case .serialization: ["json", "dumps", "loads", "encode", "decode", "pickle", "serialize"]
        case .regex: ["re.", "_compile", "compile", "sre", "Regex", "regex", "match", "search"]
        case .loop, .copying, .cacheRemoved, .exception: []
        }
    }

    /// Signals in added/removed lines, with the first line showing each.
    public static func find(added: [String], removed: [String]) -> [(ContentSignal, String)] {
        var out: [(ContentSignal, String)] = []
        for signal in allCases {
            let lines = signal == .cacheRemoved ? removed : added
            let code = lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.hasPrefix("#") && !$0.hasPrefix("//")
            }
            if let line = code.first(where: { line in signal.patterns.contains { line.contains($0) } }) {
                if signal == .cacheRemoved,
                    added.contains(where: { line in signal.patterns.contains { line.contains($0) } })
                {
                    continue  // moved, not removed
                }
                out.append((signal, line))
            }
        }
        return out
    }

    /// Whether a frame's name suggests this kind of work.
    public func hinted(by frameName: String) -> Bool {
        frameHints.contains { frameName.contains($0) }
    }
}
