import Foundation

/// A target repository's own settings, read from `headroom.toml` at its root.
///
/// The reader accepts the TOML subset these files use: `[table]` headers, `key = value` pairs with basic or literal
/// strings, integers, floats and booleans, and `#` comments. Anything else is reported with its line number.
public struct ProjectSettings: Sendable, Equatable {
    public var serviceName: String?
    public var language: String?
    public var testCommand: String?
    public var benchCommand: String?
    /// The load driver; `{seconds}` is replaced by the profiling window.
    public var loadCommand: String?
    /// The repository's formatter in check mode (`black --check {file}`); `{file}` is the patched file.
    public var formatCommand: String?
    /// `[policy]`: when `headroom serve` attempts a fix by itself (see `FixPolicy`).
    public var policy = Policy()

    /// `[policy]` of a service's repository: `auto_fix` (default true), `min_confidence` (0.5: the top culprit's
    /// share of the ranking), `min_cores` (1.0: the regression's cost in cores). Absent keys keep the defaults.
    public struct Policy: Sendable, Equatable {
        public var autoFix: Bool?
        public var minConfidence: Double?
        public var minCores: Double?

        public init(autoFix: Bool? = nil, minConfidence: Double? = nil, minCores: Double? = nil) {
            self.autoFix = autoFix
            self.minConfidence = minConfidence
            self.minCores = minCores
        }
    }

    public init(
        serviceName: String? = nil, language: String? = nil, testCommand: String? = nil, benchCommand: String? = nil,
        loadCommand: String? = nil, formatCommand: String? = nil
    ) {
        self.formatCommand = formatCommand
        self.serviceName = serviceName
        self.language = language
        self.testCommand = testCommand
        self.benchCommand = benchCommand
        self.loadCommand = loadCommand
    }

    /// Reads `headroom.toml` under `root`; a missing file gives empty settings.
    public static func load(repository root: String) throws -> ProjectSettings {
        let path = (root as NSString).appendingPathComponent("headroom.toml")
        guard FileManager.default.fileExists(atPath: path) else { return ProjectSettings() }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw HeadroomError(.config, "\(path): not readable UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Parses the text of a `headroom.toml`.
    public static func parse(_ text: String, path: String = "headroom.toml") throws -> ProjectSettings {
        var table = ""
        var values: [String: String] = [:]
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = stripComment(String(raw)).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else {
                    throw HeadroomError(.config, "\(path):\(offset + 1): malformed table header")
                }
                table = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw HeadroomError(.config, "\(path):\(offset + 1): expected key = value")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = try parseValue(
                line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces),
                location: "\(path):\(offset + 1)")
            values[table.isEmpty ? key : "\(table).\(key)"] = value
        }
        var settings = ProjectSettings(
            serviceName: values["service.name"], language: values["service.language"],
            testCommand: values["commands.test"], benchCommand: values["commands.bench"],
            loadCommand: values["commands.load"], formatCommand: values["commands.format"])
        if let text = values["policy.auto_fix"] {
            guard text == "true" || text == "false" else {
                throw HeadroomError(.config, "\(path): policy.auto_fix must be true or false")
            }
            settings.policy.autoFix = text == "true"
        }
        for (key, keyPath) in [("min_confidence", \Policy.minConfidence), ("min_cores", \Policy.minCores)] {
            guard let text = values["policy.\(key)"] else { continue }
            guard let number = Double(text), number.isFinite, number >= 0 else {
                throw HeadroomError(.config, "\(path): policy.\(key) must be a number ≥ 0")
            }
            settings.policy[keyPath: keyPath] = number
        }
        return settings
    }

    private static func stripComment(_ line: String) -> String {
        var quote: Character?
        for (index, char) in zip(line.indices, line) {
            if let open = quote {
                if char == open { quote = nil }
            } else if char == "\"" || char == "'" {
                quote = char
            } else if char == "#" {
                return String(line[..<index])
            }
        }
        return line
    }

    private static func parseValue(_ text: String, location: String) throws -> String {
        if text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first {
            let body = String(text.dropFirst().dropLast())
            guard first == "\"" else { return body }
            return body.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
        }
        if text == "true" || text == "false" || Double(text) != nil { return text }
        throw HeadroomError(.config, "\(location): unsupported value \(text)")
    }
}
