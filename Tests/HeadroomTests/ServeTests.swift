import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomProfiles
import HeadroomStore
import HeadroomTesting
import Testing

@Suite("headroom serve", .ownThreads)
struct ServeTests {
    /// The server over real HTTP on loopback (Tests/serve/serve_test.py): Pyroscope's /ingest API, the agents'
    /// Connect push, tokens, limits, bad input, re-pushes, SIGTERM, and the real pyroscope-io agent.
    @Test("serve takes Pyroscope ingest and pushes (and the real Python agent) over HTTP, refuses bad input, drains")
    func endToEnd() throws {
        let run = try Shell.run(
            ["python3", Checkout.root + "/Tests/serve/serve_test.py", "--headroom", Checkout.binary], timeout: 600)
        #expect(run.status == 0, "\(run.stdout.suffix(3000))\n\(run.stderr.suffix(3000))")
        #expect(run.stdout.contains("serve: all checks passed"))
    }

    /// schemathesis against the server's own OpenAPI 3.1 document (Tests/serve/openapi_test.py).
    @Test("the running server matches its OpenAPI document under schemathesis: no 5xx, 4xx for bad input, 405, 401")
    func openAPI() throws {
        let run = try Shell.run(
            ["python3", Checkout.root + "/Tests/serve/openapi_test.py", "--headroom", Checkout.binary], timeout: 900)
        #expect(run.status == 0, "\(run.stdout.suffix(6000))\n\(run.stderr.suffix(2000))")
        #expect(run.stdout.contains("openapi: all checks passed"))
    }

    /// The web dashboard in headless Chromium (Tests/serve/dashboard_test.py); screenshots go to
    /// `HEADROOM_SCREENSHOTS` (default: a folder under the test's temporary directory, printed).
    @Test("the dashboard's pages render in Chromium with the loop's figures, and its buttons work without JavaScript")
    func dashboard() throws {
        var command = ["python3", Checkout.root + "/Tests/serve/dashboard_test.py", "--headroom", Checkout.binary]
        if let folder = ProcessInfo.processInfo.environment["HEADROOM_SCREENSHOTS"] {
            command += ["--screenshots", folder]
        }
        let run = try Shell.run(command, timeout: 900)
        #expect(run.status == 0, "\(run.stdout.suffix(4000))\n\(run.stderr.suffix(2000))")
        #expect(run.stdout.contains("dashboard: all checks passed"))
    }

    @Test(
        "Pyroscope app names: the service, the profile type and the labels",
        arguments: [
            ("shop.cpu", "shop", [String]()),
            ("shop.cpu{env=prod, region=eu}", "shop", ["env=prod", "region=eu"]),
            ("my.app.alloc_space{}", "my.app.alloc_space", []),
            ("my.app", "my.app", []),
            ("svc.itimer{service_name=x,__name__=y,k=v}", "svc", ["k=v"]),
        ])
    func parsesNames(name: String, service: String, labels: [String]) throws {
        let parsed = try PyroscopeIngest.parseName(name)
        #expect(parsed.service == service)
        #expect(parsed.labels.map(\.description) == labels)
    }

    @Test("bad names and times are refused as bad input")
    func refusesBadNames() throws {
        #expect(errorCode { _ = try PyroscopeIngest.parseName("shop.cpu{env=prod") } == .badInput)
        #expect(errorCode { _ = try PyroscopeIngest.parseName("shop{novalue}") } == .badInput)
        #expect(errorCode { _ = try PyroscopeIngest.parseName("") } == .badInput)
        #expect(errorCode { _ = try PyroscopeIngest.time("yesterday", "from") } == .badInput)
        #expect(try PyroscopeIngest.time("1793606400000", "from") == 1_793_606_400)
        #expect(try PyroscopeIngest.time("1793606400000000000", "from") == 1_793_606_400)
    }

    @Test("writes from another site's page are told apart by their Origin")
    func foreignOrigins() {
        #expect(!ListenerAccess.isForeignOrigin(nil, authority: "127.0.0.1:4040"))
        #expect(!ListenerAccess.isForeignOrigin("http://127.0.0.1:4040", authority: "127.0.0.1:4040"))
        #expect(!ListenerAccess.isForeignOrigin("https://headroom.internal", authority: "headroom.internal"))
        #expect(ListenerAccess.isForeignOrigin("http://evil.example", authority: "127.0.0.1:4040"))
        #expect(ListenerAccess.isForeignOrigin("http://127.0.0.1:9999", authority: "127.0.0.1:4040"))
        #expect(ListenerAccess.isForeignOrigin("null", authority: "127.0.0.1:4040"))
    }

    @Test("a push of the same bytes for another window is a new profile; the same push again is a duplicate")
    func idempotentPushes() async throws {
        let store = try Store.open(path: ":memory:")
        let ingest = PyroscopeIngest(ingestor: ProfileIngestor(store: store))
        let body = Data("main;hot 3\n".utf8)
        func push(_ from: Int) async throws -> PyroscopeIngest.Outcome {
            try await ingest.ingest(
                query: ["name": "app.cpu{env=prod}", "from": "\(from)", "until": "\(from + 10)"], body: body,
                contentType: nil)
        }
        #expect(try await push(0).profiles == 1)
        #expect(try await push(0).duplicates == 1)
        #expect(try await push(10).profiles == 1)
        #expect(try store.profileCount(service: "app") == 2)
        // Acknowledged pushes are in the ingest log until the batcher compacts it (at once on flush).
        try await ingest.batcher.flush()
        #expect(try store.ingestLogCount() == 0)
        #expect(try store.stacks(service: "app", label: (key: "env", value: "prod")).totalSamples == 6)
    }
}
