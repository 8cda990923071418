import AsyncHTTPClient
import Foundation
import HeadroomCore
import NIOCore

/// POSTs JSON to a model's server through AsyncHTTPClient: a connect timeout, a timeout per request, a deadline for
/// the whole run, and retries with exponential backoff (honouring `Retry-After`, capped at 30 s) on 429, 5xx,
/// timeouts and connection errors. Other errors fail at once; the body in the error is redacted.
struct LLMHTTP: Sendable {
    var timeout: Double
    var retries: Int
    var backoff: Double
    var redactor: Redactor
    var connectTimeout: Double = 10
    /// When every call of the run must be over, retries and waits included.
    var deadline: ContinuousClock.Instant = .now + .seconds(600)
    var totalTimeout: Double = 600
    /// Called before each retry: attempt number, why, seconds to wait.
    var onRetry: @Sendable (Int, String, Double) -> Void = { _, _, _ in }

    func post(_ url: String, headers: [(String, String)], body: JSONValue) async throws -> JSONValue {
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                timeout: .init(connect: .milliseconds(Int64(connectTimeout * 1000)))))
        do {
            let result = try await post(url, headers: headers, body: body, client: client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    static func isTimeout(_ error: any Error) -> Bool {
        guard let error = error as? HTTPClientError else { return false }
        return error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout
    }

    private func post(_ url: String, headers: [(String, String)], body: JSONValue, client: HTTPClient) async throws
        -> JSONValue
    {
        let payload = WireJSON.encode(body)
        var attempt = 0
        var timeouts = 0
        while true {
            let left = deadline - .now
            guard left > .zero else {
                throw LLMError.transport(
                    String(
                        format: "the run's %.0f s for model calls is spent (HEADROOM_LLM_TOTAL_TIMEOUT)", totalTimeout))
            }
            attempt += 1
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.headers.add(name: "user-agent", value: "headroom/\(HeadroomVersion.string)")
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(bytes: payload))
            var retryable = ""
            var wait = backoff * pow(2, Double(attempt - 1))
            do {
                let seconds = min(timeout, Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18)
                let response = try await client.execute(request, timeout: .milliseconds(Int64(seconds * 1000)))
                let bytes = try await response.body.collect(upTo: 32 << 20)
                let data = Data(bytes.readableBytesView)
                let status = Int(response.status.code)
                if (200..<300).contains(status) { return try WireJSON.parse(data, what: "the response body") }
                let text = redactor.redact(String(decoding: data.prefix(2000), as: UTF8.self))
                guard status == 429 || status >= 500 else { throw LLMError.http(status: status, body: text) }
                retryable = "HTTP \(status)"
                if let after = response.headers.first(name: "retry-after").flatMap(Double.init) {
                    wait = max(wait, after)
                }
                if attempt > retries { throw LLMError.http(status: status, body: text) }
            } catch let error as LLMError {
                throw error
            } catch {
                retryable = redactor.redact("\(error)")
                if attempt > retries { throw LLMError.transport(retryable) }
                // A server that let a whole request time out is hung or gone: one more try, not four.
                if Self.isTimeout(error) {
                    timeouts += 1
                    if timeouts > 1 { throw LLMError.transport("\(retryable) twice in a row; giving up") }
                }
            }
            wait = min(wait, 30)
            guard deadline - .now > .milliseconds(Int64(wait * 1000)) else {
                throw LLMError.transport(
                    "\(retryable); no time left in the run's \(Int(totalTimeout)) s for another try (HEADROOM_LLM_TOTAL_TIMEOUT)"
                )
            }
            onRetry(attempt, retryable, wait)
            try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
        }
    }
}
