import Foundation
import HeadroomCore

/// A tool the model may call.
public struct ToolSpec: Sendable, Equatable {
    public var name: String
    public var description: String
    public var schema: JSONValue
    public init(name: String, description: String, schema: JSONValue) {
        self.name = name
        self.description = description
        self.schema = schema
    }
}

/// One tool call the model made. `arguments` is nil when the model's argument text is not a JSON object.
public struct ToolCall: Sendable, Equatable {
    public var id: String
    public var name: String
    public var arguments: JSONValue?
    public var rawArguments: String
}

/// A provider-neutral conversation turn.
public enum ChatMessage: Sendable, Equatable {
    case user(String)
    case assistant(text: String?, calls: [ToolCall])
    case tool(callID: String, name: String, content: String, isError: Bool)
}

/// What the model answered.
public struct ChatReply: Sendable, Equatable {
    public var text: String?
    public var calls: [ToolCall]
    public var inputTokens: Int
    public var outputTokens: Int
    public var stopReason: String?
}

public enum LLMError: Error, CustomStringConvertible, Sendable {
    /// The provider's answer is not the wire format (not JSON, or fields missing).
    case malformed(String)
    /// An HTTP error that retrying does not fix (4xx other than 429), or retries ran out.
    case http(status: Int, body: String)
    case transport(String)

    public var description: String {
        switch self {
        case .malformed(let why): return "malformed answer from the model: \(why)"
        case .http(let status, let body): return "the model's server answered HTTP \(status): \(body.prefix(300))"
        case .transport(let why): return "could not reach the model's server: \(why)"
        }
    }
}

/// A chat-completions API with tool calling.
public protocol ChatProvider: Sendable {
    func complete(system: String, messages: [ChatMessage], tools: [ToolSpec]) async throws -> ChatReply
}

enum WireJSON {
    static func parse(_ data: Data, what: String) throws -> JSONValue {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: data), case .object = value else {
            throw LLMError.malformed(
                "\(what) is not a JSON object: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        return value
    }

    static func encode(_ value: JSONValue) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }

    static func text(_ value: JSONValue) -> String { String(decoding: encode(value), as: UTF8.self) }

    /// Tool-call argument text → object, or nil when it is not a JSON object.
    static func arguments(_ text: String) -> JSONValue? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return [:] }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(trimmed.utf8)), case .object = value
        else { return nil }
        return value
    }
}
