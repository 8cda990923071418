import Foundation
import HeadroomCore

/// OpenAI-compatible chat completions with tool calling (`POST {base}/chat/completions`): OpenAI, vLLM, llama.cpp
/// server, Ollama's `/v1`.
struct OpenAIProvider: ChatProvider {
    var configuration: LLMConfiguration
    var http: LLMHTTP

    func complete(system: String, messages: [ChatMessage], tools: [ToolSpec]) async throws -> ChatReply {
        var wire: [JSONValue] = [["role": "system", "content": .string(system)]]
        for message in messages {
            switch message {
            case .user(let text): wire.append(["role": "user", "content": .string(text)])
            case .assistant(let text, let calls):
                var m: [String: JSONValue] = ["role": "assistant", "content": text.map { .string($0) } ?? .null]
                if !calls.isEmpty {
                    m["tool_calls"] = .array(
                        calls.map { call in
                            [
                                "id": .string(call.id), "type": "function",
                                "function": ["name": .string(call.name), "arguments": .string(call.rawArguments)],
                            ]
                        })
                }
                wire.append(.object(m))
            case .tool(let id, _, let content, _):
                wire.append(["role": "tool", "tool_call_id": .string(id), "content": .string(content)])
            }
        }
        var body: [String: JSONValue] = [
            "model": .string(configuration.model), "messages": .array(wire), "temperature": 0,
            "max_tokens": .number(Double(configuration.maxOutputTokens)),
        ]
        if !tools.isEmpty {
            body["tools"] = .array(
                tools.map { tool in
                    [
                        "type": "function",
                        "function": [
                            "name": .string(tool.name), "description": .string(tool.description),
                            "parameters": tool.schema,
                        ],
                    ]
                })
        }
        var headers: [(String, String)] = []
        if let key = configuration.apiKey { headers.append(("authorization", "Bearer \(key)")) }
        let base =
            configuration.baseURL.hasSuffix("/") ? String(configuration.baseURL.dropLast()) : configuration.baseURL
        let reply = try await http.post(base + "/chat/completions", headers: headers, body: .object(body))
        return try Self.decode(reply)
    }

    static func decode(_ reply: JSONValue) throws -> ChatReply {
        if let error = reply["error"], error != .null {
            throw LLMError.malformed(
                "the server returned an error object: \(error["message"]?.stringValue ?? error.description)")
        }
        guard let choice = reply["choices"]?.arrayValue?.first, let message = choice["message"], case .object = message
        else {
            throw LLMError.malformed("no choices[0].message in the response")
        }
        var calls: [ToolCall] = []
        for (i, call) in (message["tool_calls"]?.arrayValue ?? []).enumerated() {
            guard let name = call["function"]?["name"]?.stringValue else {
                throw LLMError.malformed("tool_calls[\(i)] has no function name")
            }
            // Arguments are a JSON string on the wire; some servers send an object.
            let raw: String
            switch call["function"]?["arguments"] {
            case .string(let text)?: raw = text
            case let value?: raw = WireJSON.text(value)
            case nil: raw = ""
            }
            calls.append(
                ToolCall(
                    id: call["id"]?.stringValue ?? "call_\(i)", name: name,
                    arguments: WireJSON.arguments(raw), rawArguments: raw))
        }
        return ChatReply(
            text: message["content"]?.stringValue, calls: calls,
            inputTokens: reply["usage"]?["prompt_tokens"]?.intValue ?? 0,
            outputTokens: reply["usage"]?["completion_tokens"]?.intValue ?? 0,
            stopReason: choice["finish_reason"]?.stringValue)
    }
}
