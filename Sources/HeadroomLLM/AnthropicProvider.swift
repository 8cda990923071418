import Foundation
import HeadroomCore

/// Anthropic Messages with tool use (`POST {base}/v1/messages`).
struct AnthropicProvider: ChatProvider {
    var configuration: LLMConfiguration
    var http: LLMHTTP

    func complete(system: String, messages: [ChatMessage], tools: [ToolSpec]) async throws -> ChatReply {
        var wire: [JSONValue] = []
        // Consecutive tool results go back in one user turn, as the API requires.
        var pendingResults: [JSONValue] = []
        func flush() {
            if !pendingResults.isEmpty { wire.append(["role": "user", "content": .array(pendingResults)]) }
            pendingResults = []
        }
        for message in messages {
            switch message {
            case .user(let text):
                flush()
                wire.append(["role": "user", "content": .array([["type": "text", "text": .string(text)]])])
            case .assistant(let text, let calls):
                flush()
                var blocks: [JSONValue] = []
                if let text, !text.isEmpty { blocks.append(["type": "text", "text": .string(text)]) }
                for call in calls {
                    blocks.append([
                        "type": "tool_use", "id": .string(call.id), "name": .string(call.name),
                        "input": call.arguments ?? [:],
                    ])
                }
                wire.append(["role": "assistant", "content": .array(blocks)])
            case .tool(let id, _, let content, let isError):
                pendingResults.append([
                    "type": "tool_result", "tool_use_id": .string(id), "content": .string(content),
                    "is_error": .bool(isError),
                ])
            }
        }
        flush()
        var body: [String: JSONValue] = [
            "model": .string(configuration.model), "system": .string(system), "messages": .array(wire),
            "max_tokens": .number(Double(configuration.maxOutputTokens)), "temperature": 0,
        ]
        if !tools.isEmpty {
            body["tools"] = .array(
                tools.map {
                    ["name": .string($0.name), "description": .string($0.description), "input_schema": $0.schema]
                })
        }
        var headers: [(String, String)] = [("anthropic-version", "2023-06-01")]
        if let key = configuration.apiKey { headers.append(("x-api-key", key)) }
        var base =
            configuration.baseURL.hasSuffix("/") ? String(configuration.baseURL.dropLast()) : configuration.baseURL
        if !base.hasSuffix("/v1") { base += "/v1" }
        let reply = try await http.post(base + "/messages", headers: headers, body: .object(body))
        return try Self.decode(reply)
    }

    static func decode(_ reply: JSONValue) throws -> ChatReply {
        if reply["type"]?.stringValue == "error" {
            throw LLMError.malformed(
                "the server returned an error: \(reply["error"]?["message"]?.stringValue ?? reply.description)")
        }
        guard let blocks = reply["content"]?.arrayValue else {
            throw LLMError.malformed("no content array in the response")
        }
        var texts: [String] = []
        var calls: [ToolCall] = []
        for (i, block) in blocks.enumerated() {
            switch block["type"]?.stringValue {
            case "text": texts.append(block["text"]?.stringValue ?? "")
            case "tool_use":
                guard let name = block["name"]?.stringValue, let id = block["id"]?.stringValue else {
                    throw LLMError.malformed("content[\(i)] tool_use has no name or id")
                }
                let input = block["input"]
                let arguments: JSONValue? = { if case .object? = input { return input } else { return nil } }()
                calls.append(
                    ToolCall(id: id, name: name, arguments: arguments, rawArguments: input.map(WireJSON.text) ?? ""))
            default: continue
            }
        }
        return ChatReply(
            text: texts.isEmpty ? nil : texts.joined(separator: "\n"), calls: calls,
            inputTokens: reply["usage"]?["input_tokens"]?.intValue ?? 0,
            outputTokens: reply["usage"]?["output_tokens"]?.intValue ?? 0,
            stopReason: reply["stop_reason"]?.stringValue)
    }
}
