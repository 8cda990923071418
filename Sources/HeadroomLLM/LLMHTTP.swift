import AsyncHTTPClient
import Foundation
import HeadroomCore
import NIOCore

/// POSTs JSON to a model's server through AsyncHTTPClient: a timeout per request, and retries with exponential
/// backoff (honouring `Retry-After`, capped at 30 s) on 429, 5xx, timeouts and connection errors. Other errors
/// fail at once; the body in the error is redacted.
struct LLMHTTP: Sendable {
    var timeout: Double
    var retries: Int
    var backoff: Double
    var redactor: Redactor
    /// Called before each retry: attempt number, why, seconds to wait.
    var onRetry: @Sendable (Int, String, Double) -> Void = { _, _, _ in }

    func post(_ url: String, headers: [(String, String)], body: JSONValue) async throws -> JSONValue {
        let payload = WireJSON.encode(body)
        var attempt = 0
        while true {
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
                let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
                let bytes = try await response.body.collect(upTo: 32 << 20)
                let data = Data(bytes.readableBytesView)
                let status = Int(response.status.code)
                if (200..<300).contains(status) { return try WireJSON.parse(data, what: "the response body") }
                let text = redactor.redact(String(decoding: data.prefix(2000), as: UTF8.self))
                guard status == 429 || status >= 500 else { throw LLMError.http(status: status, body: text) }
                retryable = "HTTP \(status)"
                if let after = response.headers.first(name: "retry-after").flatMap(Double.init) { wait = max(wait, after) }
                if attempt > retries { throw LLMError.http(status: status, body: text) }
            } catch let error as LLMError {
                throw error
            } catch {
                retryable = redactor.redact("\(error)")
                if attempt > retries { throw LLMError.transport(retryable) }
            }
            wait = min(wait, 30)
            onRetry(attempt, retryable, wait)
            try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
        }
    }
}
