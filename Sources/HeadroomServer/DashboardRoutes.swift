import Foundation
import HTTPTypes
import HeadroomCore
import HeadroomEngine
import Hummingbird
import Logging
import Mustache

/// The web dashboard, server-rendered HTML that works without JavaScript:
///
///     GET  /                              fleet overview: cards, open regressions by cores, services, fix jobs
///     GET  /regressions/{id}              the share series with its change point, culprits, patches (A/B, diff)
///     GET  /regressions/{id}/flame        differential flame graph: after the onset against before it
///     GET  /opportunities                 opportunities by watts saved
///     GET  /inbox[?for=PERSON], /inbox/{person}   one person's regressions, fixes to review and opportunities
///     GET  /services/{name}/flame         the service's flame graph
///     GET  /api/v1/services/{name}/flame.svg[?range=FROM..TO], /api/v1/regressions/{id}/flame.svg   the drawings alone
///     POST /ui/regressions/{id}/ack|invalid, /ui/patches/{id}/apply|reject|publish   the pages' buttons (form posts)
///
/// The buttons' forms carry a per-process token and must come from this server's own pages (`Origin`), so another
/// site cannot press them through a visitor's browser.
struct DashboardRoutes: Sendable {
    let dashboard: Dashboard
    let triage: TriageService
    /// The patch buttons' reviews; nil in team mode, whose shared database holds no patches yet.
    let review: PatchReview?
    let library: MustacheLibrary
    let csrf: String
    let logger: Logger

    init(dashboard: Dashboard, logger: Logger) throws {
        self.dashboard = dashboard
        triage = TriageService(store: dashboard.store)
        review = (dashboard.store as? StoreHandle).map { PatchReview(store: $0) }
        var library = MustacheLibrary()
        for (name, text) in DashboardTemplates.all { try library.register(text, named: name) }
        self.library = library
        csrf = (0..<4).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 16) }.joined()
        self.logger = logger
    }

    func add(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in
            try await page("overview", "Overview") { dashboard in
                let o = try dashboard.overview()
                return [
                    "cards": o.cards, "regressions": o.regressions, "hasRegressions": !o.regressions.isEmpty,
                    "services": o.services, "hasServices": !o.services.isEmpty, "jobs": o.jobs,
                    "hasJobs": !o.jobs.isEmpty, "improvements": o.improvements,
                ]
            }
        }
        router.get("/regressions/:id") { _, context in
            let id = try APIRoutes.pathID(context)
            return try await page("regression", "Regression #\(id)") { dashboard in
                let p = try dashboard.regression(id: id)
                return [
                    "row": p.row, "chart": p.chart, "detail": p.detail, "candidates": p.candidates,
                    "hasCandidates": !p.candidates.isEmpty, "patches": p.patches, "hasPatches": !p.patches.isEmpty,
                    "triaged": p.triaged, "note": p.note,
                ]
            }
        }
        router.get("/regressions/:id/flame") { _, context in
            let id = try APIRoutes.pathID(context)
            return try await page("flame", "Differential flame graph") { dashboard in
                let r = try dashboard.regression(id)
                let svg = try dashboard.regressionFlameGraph(id: id)
                return [
                    "heading": "\(r.service): after the onset of regression #\(id) against before it",
                    "note":
                        "Widths: samples since \(Timestamps.format(r.timestamp)); colour: change in share (red grew, blue shrank).",
                    "svg": Self.inline(svg),
                ]
            }
        }
        router.get("/opportunities") { _, _ in
            try await page("opportunities", "Opportunities") { dashboard in
                let rows = try dashboard.opportunities()
                return ["rows": rows, "hasRows": !rows.isEmpty]
            }
        }
        let inbox = { @Sendable (person: String) async throws -> Response in
            try await page("inbox", person.isEmpty ? "Inbox" : "Inbox of \(person)") { dashboard in
                guard !person.isEmpty else {
                    return ["heading": "Inbox", "person": "", "hasPerson": false]
                }
                let sections = try dashboard.inbox(person: person)
                return ["heading": "Inbox of \(person)", "person": person, "hasPerson": true, "sections": sections]
            }
        }
        router.get("/inbox") { request, _ in
            try await inbox(
                request.uri.queryParameters["for"].map { String($0).trimmingCharacters(in: .whitespaces) } ?? "")
        }
        router.get("/inbox/:person") { _, context in
            try await inbox(context.parameters.get("person")?.removingPercentEncoding ?? "")
        }
        router.get("/services/:name/flame") { _, context in
            let name = context.parameters.get("name")?.removingPercentEncoding ?? ""
            return try await page("flame", "\(name) flame graph") { dashboard in
                return [
                    "heading": "\(name): flame graph, all time", "note": "Widths are samples; hover for figures.",
                    "svg": Self.inline(try dashboard.flameGraph(service: name, range: TimeRange())),
                ]
            }
        }
        // The same drawings for programs: SVG documents.
        router.get("/api/v1/services/:name/flame.svg") { request, context in
            let name = context.parameters.get("name")?.removingPercentEncoding ?? ""
            // `range=` (empty) is all time, as no `range` is.
            let range = request.uri.queryParameters["range"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            return try await svg {
                try dashboard.requireService(name)
                return try dashboard.flameGraph(
                    service: name, range: try range.map { try TimeRange.parse($0, option: "range") } ?? TimeRange())
            }
        }
        router.get("/api/v1/regressions/:id/flame.svg") { _, context in
            let id = try? APIRoutes.pathID(context)
            return try await svg {
                guard let id else { throw HeadroomError(.badInput, "the id must be a positive integer") }
                return try dashboard.regressionFlameGraph(id: id)
            }
        }
        for verdict in ["ack", "invalid"] {
            router.post(RouterPath("/ui/regressions/:id/\(verdict)")) { request, context in
                try await form(request, context) { id in
                    _ = try triage.decide(regression: id, verdict: verdict == "ack" ? .acknowledged : .invalid)
                    return "/regressions/\(id)"
                }
            }
        }
        router.post(RouterPath("/ui/patches/:id/publish")) { request, context in
            try await form(
                request, context,
                async: { id in
                    let review = try Self.patchReview(review)
                    _ = try await review.publish(id)
                    let patch = try await AsyncBridge.offPool { try review.patch(id) }
                    return patch.regressionID.map { "/regressions/\($0)" } ?? "/"
                })
        }
        for action in ["apply", "reject"] {
            router.post(RouterPath("/ui/patches/:id/\(action)")) { request, context in
                try await form(request, context) { id in
                    let review = try Self.patchReview(review)
                    let patch =
                        action == "apply"
                        ? try review.apply(id, markOnly: false, note: "applied from the dashboard")
                        : try review.reject(id, reason: "rejected from the dashboard", keepBranch: false)
                    return patch.regression.map { "/regressions/\($0)" } ?? "/"
                }
            }
        }
    }

    /// The patch reviews, or the refusal of a store without patches (team mode, for now).
    static func patchReview(_ review: PatchReview?) throws -> PatchReview {
        guard let review else { throw HeadroomError(.refused, "patches need the SQLite store for now") }
        return review
    }

    /// Renders a page from the store's figures (read off the event loop); a missing record is a 404 page.
    func page(
        _ template: String, _ title: String, _ build: @escaping @Sendable (Dashboard) throws -> [String: any Sendable]
    ) async throws -> Response {
        let dashboard = self.dashboard
        do {
            var context = try await AsyncBridge.offPool { try build(dashboard) }
            context["title"] = title
            context["csrf"] = csrf
            return html(200, library.render(context, withTemplate: template) ?? "")
        } catch let error as HeadroomError {
            // A refusal here is a page this store cannot serve (a store without program records' inbox): 501.
            let status =
                error.code == .notFound ? 404 : error.code == .badInput ? 400 : error.code == .refused ? 501 : 500
            if status == 500 { logger.warning("page \(template) failed", metadata: ["error": "\(error)"]) }
            return html(
                status,
                library.render(
                    ["title": "Not available", "heading": "Not available", "text": HeadroomError.oneLine(error)],
                    withTemplate: "message") ?? "")
        }
    }

    /// An SVG answer (off the event loop); errors as JSON, like the rest of /api/v1.
    func svg(_ draw: @escaping @Sendable () throws -> String) async throws -> Response {
        do {
            let text = try await AsyncBridge.offPool(draw)
            return Response(
                status: .ok, headers: [.contentType: "image/svg+xml"], body: .init(byteBuffer: ByteBuffer(string: text))
            )
        } catch let error as HeadroomError {
            return try HeadroomServer.error(
                error.code == .notFound ? 404 : error.code == .badInput ? 400 : 500, HeadroomError.oneLine(error))
        }
    }

    /// A button's form post: the page's token and this server's origin required; done, back to the page (303).
    func form(
        _ request: Request, _ context: BasicRequestContext, _ act: @escaping @Sendable (Int64) throws -> String
    ) async throws -> Response {
        try await form(request, context, async: { id in try await AsyncBridge.offPool { try act(id) } })
    }

    /// A form post: same-origin and carrying the page's token, then `act` on the path's id; its answer is the page
    /// to go back to (303), a refusal is a page with the one-line reason.
    func form(
        _ request: Request, _ context: BasicRequestContext,
        async act: @escaping @Sendable (Int64) async throws -> String
    ) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 << 10)
        let fields = Self.formFields(String(decoding: body.readableBytesView, as: UTF8.self))
        if ListenerAccess.isForeignOrigin(request.headers[.origin], authority: request.head.authority) {
            return try HeadroomServer.error(403, "cross-origin form posts are refused")
        }
        guard fields["csrf"] == csrf else {
            return try HeadroomServer.error(403, "the form's token is missing or stale: reload the page")
        }
        do {
            let id = try APIRoutes.pathID(context)
            let target = try await act(id)
            return Response(status: .seeOther, headers: [.location: target])
        } catch let error as HeadroomError {
            let status =
                error.code == .notFound ? 404 : error.code == .refused ? 409 : error.code == .git ? 502 : 400
            return html(
                status,
                library.render(
                    ["title": "Not done", "heading": "Not done", "text": HeadroomError.oneLine(error)],
                    withTemplate: "message") ?? "")
        }
    }

    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        return fields
    }

    /// An SVG document as an element of the page (its XML prolog dropped).
    static func inline(_ svg: String) -> String {
        guard let start = svg.range(of: "<svg") else { return svg }
        return String(svg[start.lowerBound...])
    }

    func html(_ status: Int, _ text: String) -> Response {
        Response(
            status: .init(code: status),
            headers: [
                .contentType: "text/html; charset=utf-8", .contentSecurityPolicy: "default-src 'self' 'unsafe-inline'",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
