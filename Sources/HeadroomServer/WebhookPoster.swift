import Foundation
import HeadroomCore
import HeadroomEngine

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// POSTs one event to a webhook through Foundation's URLSession and says how it went: 2xx delivered; 429, 5xx,
/// timeouts and connection errors to be retried (with the receiver's `Retry-After` seconds, when given); any other
/// answer failed. The receiver's body is not kept (it may echo secrets).
struct WebhookPoster: Sendable {
    var timeout: Double = 10

    func post(_ target: WebhookDelivery.Target, _ body: Data) async -> WebhookDelivery.Answer {
        var request = URLRequest(url: target.url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("headroom/\(HeadroomVersion.string)", forHTTPHeaderField: "User-Agent")
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        do {
            let (_, response) = try await session.upload(for: request, from: body)
            guard let http = response as? HTTPURLResponse else { return .retry("no HTTP answer", after: nil) }
            switch http.statusCode {
            case 200..<300:
                return .delivered
            case 429, 500..<600:
                let after = http.value(forHTTPHeaderField: "Retry-After").flatMap { Int64($0) }
                return .retry("HTTP \(http.statusCode)", after: after)
            default:
                return .failed("HTTP \(http.statusCode)")
            }
        } catch {
            return .retry(
                "transport: \((error as? URLError).map { "URL error \($0.code.rawValue)" } ?? "\(type(of: error))")",
                after: nil)
        }
    }
}
