import Foundation
import HeadroomCore

/// Removes secrets from everything sent to a model and from stored transcripts: the configured keys and tokens,
/// values of secret-named environment variables, values in the target repository's `.env` files, and text that
/// looks like a credential (`CredentialCatalog`: provider key formats, JWTs, URL passwords, PEM keys, secret-named
/// assignments, and random-looking tokens in assignments).
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
            guard
                let text = try? String(
                    contentsOfFile: (repository as NSString).appendingPathComponent(file), encoding: .utf8)
            else { continue }
            add(Self.dotEnvValues(text))
        }
    }

    static func dotEnvValues(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), let eq = trimmed.firstIndex(of: "=") else { return nil }
            return String(trimmed[trimmed.index(after: eq)...]).trimmingCharacters(
                in: CharacterSet(charactersIn: "\"' "))
        }
    }

    /// Every string inside a JSON value redacted (keys are names, not secrets, and are kept).
    public func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): .string(redact(text))
        case .array(let items): .array(items.map(redact))
        case .object(let fields): .object(fields.mapValues(redact))
        default: value
        }
    }

    /// A transcript step with its input, output and note redacted, as it may be stored.
    public func redact(_ step: TranscriptStep) -> TranscriptStep {
        var step = step
        step.input = step.input.map(redact)
        step.output = step.output.map(redact)
        step.note = redact(step.note)
        return step
    }

    /// `text` without the configured secrets and without anything in `CredentialCatalog`.
    public func redact(_ text: String) -> String {
        var out = text
        for secret in secrets where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: "[REDACTED]")
        }
        return CredentialCatalog.redact(out)
    }
}
