import Foundation

/// Removes secrets from everything sent to a model and from stored transcripts: the configured keys and tokens,
/// values of secret-named environment variables, values in the target repository's `.env` files, and text that
/// looks like a credential (API keys, bearer tokens, private keys, AWS keys, GitHub tokens).
public struct Redactor: Sendable {
    public private(set) var secrets: [String]

    public init(secrets: [String] = []) {
        self.secrets = []
        add(secrets)
    }

    public mutating func add(_ values: [String]) {
        for value in values {
            let v = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if v.count >= 6, !secrets.contains(v) { secrets.append(v) }
        }
        secrets.sort { $0.count > $1.count }
    }

    /// Secret-looking environment variables (`*KEY*`, `*TOKEN*`, `*SECRET*`, `*PASSWORD*`, `*CREDENTIAL*`).
    public mutating func addEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) {
        let markers = ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH"]
        add(environment.filter { name, _ in markers.contains { name.uppercased().contains($0) } }.map(\.value))
    }

    /// Values of `KEY=value` lines in `.env`, `.env.*` files at the repository root.
    public mutating func addDotEnv(repository: String) {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: repository)) ?? []
        for file in files where file == ".env" || file.hasPrefix(".env.") {
            guard let text = try? String(contentsOfFile: (repository as NSString).appendingPathComponent(file), encoding: .utf8) else { continue }
            add(Self.dotEnvValues(text))
        }
    }

    static func dotEnvValues(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), let eq = trimmed.firstIndex(of: "=") else { return nil }
            return String(trimmed[trimmed.index(after: eq)...]).trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
        }
    }

    static let patterns: [NSRegularExpression] = [
        #"sk-(?:ant-|proj-)?[A-Za-z0-9_\-]{16,}"#,
        #"gh[pousr]_[A-Za-z0-9]{20,}"#,
        #"AKIA[0-9A-Z]{16}"#,
        #"(?i)bearer\s+[A-Za-z0-9._~+/=\-]{12,}"#,
        #"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"#,
        #"(?i)((?:api[_-]?key|secret|token|password|passwd)\s*[=:]\s*)["']?[^\s"',;]{8,}"#,
    ].map { try! NSRegularExpression(pattern: $0) }

    public func redact(_ text: String) -> String {
        var out = text
        for secret in secrets where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: "[REDACTED]")
        }
        for (i, pattern) in Self.patterns.enumerated() {
            let range = NSRange(out.startIndex..., in: out)
            out = pattern.stringByReplacingMatches(in: out, range: range, withTemplate: i == Self.patterns.count - 1 ? "$1[REDACTED]" : "[REDACTED]")
        }
        return out
    }
}
