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

    /// Commands a Go module gets when its settings name none, for a patch to `path`: the module's vet and tests,
    /// and the benchmarks of the patched file's package (300 ms each) when it has any. Nil for other repositories.
    public static func goDefaults(repository: String, revision: String, path: String) -> (
        test: String, bench: String?
    )? {
        guard path.hasSuffix(".go"), let git = try? Git(path: repository), git.show(revision, path: "go.mod") != nil
        else { return nil }
        let folder = (path as NSString).deletingLastPathComponent
        let package = folder.isEmpty ? "." : "./" + folder
        let listed = (try? git.run(["ls-tree", "--name-only", revision, folder.isEmpty ? "." : folder + "/"])) ?? ""
        let hasBenchmark = listed.split(separator: "\n").contains { file in
            file.hasSuffix("_test.go") && (git.show(revision, path: String(file))?.contains("func Benchmark") ?? false)
        }
        let quoted = package.contains(" ") ? "'\(package)'" : package
        return (
            "go vet ./... && go test -count=1 ./...",
            hasBenchmark ? "go test -run '^$' -bench . -benchtime 300ms -count 1 \(quoted)" : nil
        )
    }
}
