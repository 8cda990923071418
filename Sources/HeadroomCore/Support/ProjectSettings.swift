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
        return ProjectSettings(
            serviceName: values["service.name"], language: values["service.language"],
            testCommand: values["commands.test"], benchCommand: values["commands.bench"],
            loadCommand: values["commands.load"], formatCommand: values["commands.format"])
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
