import Foundation
import HeadroomCore

/// Which LLM to use and how hard to let it work. Read from the environment, overridden by flags.
///
/// | variable | meaning |
/// |---|---|
/// | `HEADROOM_LLM_PROVIDER` | `openai` (any OpenAI-compatible server: OpenAI, vLLM, llama.cpp, Ollama) or `anthropic` |
/// | `HEADROOM_LLM_BASE_URL` | e.g. `https://api.openai.com/v1`, `http://127.0.0.1:11434/v1`, `https://api.anthropic.com` |
/// | `HEADROOM_LLM_MODEL` | model name |
/// | `HEADROOM_LLM_API_KEY` | key (else `OPENAI_API_KEY` / `ANTHROPIC_API_KEY`) |
public struct LLMConfiguration: Sendable, Equatable {
    public enum Provider: String, Sendable, CaseIterable { case openai, anthropic }

    public var provider: Provider
    public var baseURL: String
    public var model: String
    public var apiKey: String?
    /// Model calls allowed in one run.
    public var maxSteps = 24
    /// Input plus output tokens allowed in one run (as the provider reports them, else estimated).
    public var tokenBudget = 200_000
    /// Output tokens per call.
    public var maxOutputTokens = 4096
    /// Seconds per HTTP request (the model may think that long before it answers).
    public var requestTimeout: Double = 120
    /// Seconds to open a connection: a server that does not accept is given up on quickly.
    public var connectTimeout: Double = 10
    /// Seconds for every model call of one run together, retries and waits included.
    public var totalTimeout: Double = 600
    /// Retries on 429, 5xx, timeouts and connection errors, with exponential backoff from `backoff` seconds.
    public var retries = 4
    public var backoff: Double = 1

    public init(provider: Provider, baseURL: String? = nil, model: String, apiKey: String? = nil) {
        self.provider = provider
        self.baseURL = baseURL ?? (provider == .anthropic ? "https://api.anthropic.com" : "https://api.openai.com/v1")
        self.model = model
        self.apiKey = apiKey
    }

    /// The configuration the environment and flags describe, or nil when no model is configured (the rule brain
    /// answers then).
    public static func resolve(
        provider: String? = nil, baseURL: String? = nil, model: String? = nil, apiKey: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> LLMConfiguration? {
        func env(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        guard let model = model ?? env("HEADROOM_LLM_MODEL") else {
            if provider != nil || baseURL != nil {
                throw HeadroomError(
                    .config,
                    "an LLM provider or base URL is set but no model: pass --llm-model or set HEADROOM_LLM_MODEL")
            }
            return nil
        }
        let base = baseURL ?? env("HEADROOM_LLM_BASE_URL")
        let name =
            provider ?? env("HEADROOM_LLM_PROVIDER") ?? (base?.contains("anthropic") == true ? "anthropic" : "openai")
        guard let kind = Provider(rawValue: name.lowercased()) else {
            throw HeadroomError(.config, "unknown LLM provider '\(name)' (providers: openai, anthropic)")
        }
        let key =
            apiKey ?? env("HEADROOM_LLM_API_KEY") ?? env(kind == .anthropic ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY")
        var configuration = LLMConfiguration(provider: kind, baseURL: base, model: model, apiKey: key)
        if let steps = env("HEADROOM_LLM_MAX_STEPS").flatMap(Int.init) { configuration.maxSteps = steps }
        if let budget = env("HEADROOM_LLM_TOKEN_BUDGET").flatMap(Int.init) { configuration.tokenBudget = budget }
        if let timeout = env("HEADROOM_LLM_TIMEOUT").flatMap(Double.init) { configuration.requestTimeout = timeout }
        if let timeout = env("HEADROOM_LLM_CONNECT_TIMEOUT").flatMap(Double.init) {
            configuration.connectTimeout = timeout
        }
        if let timeout = env("HEADROOM_LLM_TOTAL_TIMEOUT").flatMap(Double.init) { configuration.totalTimeout = timeout }
        guard
            [configuration.requestTimeout, configuration.connectTimeout, configuration.totalTimeout].allSatisfy({
                $0 > 0 && $0.isFinite
            })
        else {
            throw HeadroomError(
                .config,
                "HEADROOM_LLM_TIMEOUT, HEADROOM_LLM_CONNECT_TIMEOUT and HEADROOM_LLM_TOTAL_TIMEOUT must be positive seconds"
            )
        }
        guard let url = URL(string: configuration.baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme)
        else {
            throw HeadroomError(.config, "LLM base URL '\(configuration.baseURL)' is not an http(s) URL")
        }
        return configuration
    }
}
