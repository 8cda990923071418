import Foundation
import HeadroomCore
import Yams

/// A target repository's settings at a revision: `headroom.toml`, else `.headroom.yaml` (same keys:
/// `service.name`, `commands.test`, `commands.bench`, `commands.format`, `commands.load`).
public enum TargetSettings {
    public static func load(repository: String, revision: String) throws -> ProjectSettings {
        let git = try Git(path: repository)
        if let toml = git.show(revision, path: "headroom.toml") {
            return try ProjectSettings.parse(toml, path: "\(repository)/headroom.toml")
        }
        if let yaml = git.show(revision, path: ".headroom.yaml") ?? git.show(revision, path: ".headroom.yml") {
            guard let root = (try? Yams.load(yaml: yaml)) as? [String: Any] else {
                throw HeadroomError(.config, "\(repository)/.headroom.yaml is not a YAML mapping")
            }
            let service = root["service"] as? [String: Any] ?? [:]
            let commands = root["commands"] as? [String: Any] ?? [:]
            return ProjectSettings(
                serviceName: service["name"] as? String, language: service["language"] as? String,
                testCommand: commands["test"] as? String, benchCommand: commands["bench"] as? String,
                loadCommand: commands["load"] as? String, formatCommand: commands["format"] as? String)
        }
        return ProjectSettings()
    }
}
