import Foundation
import HeadroomCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// POSTs JSON to a model's server through Foundation's URLSession (libcurl and the system's TLS on Linux, so no TLS
/// stack is compiled into Headroom): a connect timeout, a timeout per request, a deadline for the whole run, and
/// retries with exponential backoff (honouring `Retry-After`, capped at 30 s) on 429, 5xx, timeouts and connection
/// errors. Other errors fail at once; the body in the error is redacted.
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
        guard let target = URL(string: url), ["http", "https"].contains(target.scheme?.lowercased() ?? "") else {
            throw LLMError.transport("'\(url)' is not an http(s) URL")
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        return try await post(target, headers: headers, body: body, session: session)
    }

    static func isTimeout(_ error: any Error) -> Bool {
        (error as? URLError)?.code == .timedOut
    }

    /// A transport error in words (Foundation's own description is a dictionary dump on Linux).
    static func describe(_ error: any Error) -> String {
        guard let error = error as? URLError else { return "\(error)" }
        let detail = (error.userInfo[NSLocalizedDescriptionKey] as? String).map { " (\($0))" } ?? ""
        switch error.code {
        case .timedOut: return "timed out\(detail)"
        case .cannotConnectToHost: return "connection refused\(detail)"
        case .cannotFindHost, .dnsLookupFailed: return "cannot resolve the host\(detail)"
        case .networkConnectionLost: return "the connection was lost\(detail)"
        case .notConnectedToInternet: return "no network\(detail)"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate:
            return "TLS failed\(detail)"
        default: return "URL error \(error.code.rawValue)\(detail)"
        }
    }

    private func post(_ url: URL, headers: [(String, String)], body: JSONValue, session: URLSession) async throws
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
            var request = URLRequest(url: url)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "content-type")
            request.setValue("headroom/\(HeadroomVersion.string)", forHTTPHeaderField: "user-agent")
            for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
            request.httpBody = Data(payload)
            var retryable = ""
            var wait = backoff * pow(2, Double(attempt - 1))
            do {
                let seconds = min(timeout, left.seconds)
                // Idle and connect waits are bounded by the session; the whole request by this deadline.
                request.timeoutInterval = max(0.1, min(seconds, max(connectTimeout, timeout)))
                let (data, response) = try await Self.load(request, session: session, within: seconds)
                let status = response.statusCode
                if (200..<300).contains(status) { return try WireJSON.parse(data, what: "the response body") }
                let text = redactor.redact(String(decoding: data.prefix(2000), as: UTF8.self))
                guard status == 429 || status >= 500 else { throw LLMError.http(status: status, body: text) }
                retryable = "HTTP \(status)"
                if let after = response.value(forHTTPHeaderField: "retry-after").flatMap(Double.init) {
                    wait = max(wait, after)
                }
                if attempt > retries { throw LLMError.http(status: status, body: text) }
            } catch let error as LLMError {
                throw error
            } catch {
                retryable = redactor.redact(Self.describe(error))
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

    /// One request, abandoned and cancelled once `seconds` have passed, whatever the server does meanwhile. (A
    /// timer cancels the data task itself: an async URLSession call does not always stop when its Swift task is
    /// cancelled, and a task group would then wait for it forever.)
    static func load(_ request: URLRequest, session: URLSession, within seconds: Double) async throws
        -> (Data, HTTPURLResponse)
    {
        let once = ResumeOnce()
        return try await withCheckedThrowingContinuation { continuation in
            let task = session.dataTask(with: request) { data, response, error in
                let result: Result<(Data, HTTPURLResponse), any Error>
                if let error {
                    result = .failure(error)
                } else if let http = response as? HTTPURLResponse {
                    let body = data ?? Data()
                    result =
                        body.count <= 32 << 20
                        ? .success((body, http)) : .failure(LLMError.transport("the response is larger than 32 MiB"))
                } else {
                    result = .failure(URLError(.badServerResponse))
                }
                once.resume(continuation, with: result)
            }
            task.resume()
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                let late = URLError(
                    .timedOut, userInfo: [NSLocalizedDescriptionKey: "no answer within \(Int(seconds.rounded())) s"])
                if once.resume(continuation, with: .failure(late)) { task.cancel() }
            }
        }
    }
}

/// Resumes a continuation exactly once, whichever of the answer and the timer comes first.
private final class ResumeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    @discardableResult
    func resume<T: Sendable>(
        _ continuation: CheckedContinuation<T, any Error>, with result: sending Result<T, any Error>
    )
        -> Bool
    {
        lock.lock()
        let first = !done
        done = true
        lock.unlock()
        if first { continuation.resume(with: result) }
        return first
    }
}
