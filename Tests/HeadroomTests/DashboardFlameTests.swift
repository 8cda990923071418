import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomStore
import HeadroomTesting
import Testing

@Suite("Dashboard flame graphs", .ownThreads)
struct DashboardFlameTests {
    /// A drawing is kept; after the service's next profile the kept one is served at once while one redraw runs in
    /// the background, and the redrawn one (with the new samples) is served after it.
    @Test("stale-while-redrawing: the old drawing at once, the new one after a single background redraw")
    func staleWhileRedrawing() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let storePath = dir.file("s.sqlite")
        func ingest(_ at: Int, samples: Int) throws {
            let file = try dir.write(
                "p\(at).folded", "main (app.py:1);work (app.py:5) \(samples)\nmain (app.py:1);idle (app.py:9) 10\n")
            let r = try Checkout.headroom(["ingest", file, "--service", "shop", "--at", "\(at)", "--store", storePath])
            #expect(r.succeeded, "\(r.stderr)")
        }
        try ingest(1_790_000_000, samples: 90)
        let dashboard = Dashboard(store: try Store.open(path: storePath))
        #expect(dashboard.warmFlameGraphs() == 1)
        let first = try dashboard.flameGraph(service: "shop", range: TimeRange())
        #expect(first.contains("100 samples"))
        try ingest(1_790_000_600, samples: 190)
        let stale = try dashboard.flameGraph(service: "shop", range: TimeRange())
        #expect(stale == first)  // served at once; a redraw started
        for _ in 0..<500 where dashboard.isRedrawingFlameGraphs { try await Task.sleep(for: .milliseconds(10)) }
        let redrawn = try dashboard.flameGraph(service: "shop", range: TimeRange())
        #expect(redrawn != first && redrawn.contains("300 samples"), "\(redrawn.prefix(600))")
        // A graph never drawn is drawn while the caller waits.
        let ranged = try dashboard.flameGraph(service: "shop", range: TimeRange(from: 1_790_000_500))
        #expect(ranged.contains("200 samples"))
    }
}
