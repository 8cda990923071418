import Foundation
import HeadroomCore
import HeadroomEngine
import HeadroomTesting
import Testing

@Suite("SARIF export", .ownThreads)
struct SarifExportTests {
    /// The log of the delivery fixture: both findings at their functions' lines, the delivered patch as a fix that
    /// reproduces the validated file, valid by Tests/sarif/validate_sarif.py (jsonschema + cross-checks); and the
    /// validator is shown to fail on a misspelt property and on a fix that does not apply.
    @Test("regressions and opportunities as SARIF 2.1.0, with the delivered patch as a fix that applies")
    func exportValidates() throws {
        let fixture = try DeliveryFixture()
        defer { fixture.cleanup() }
        let export = try SarifExporter(store: fixture.store).export(service: nil, repository: nil)
        #expect(export.results == 2 && export.fixes == 1 && export.unlocated.isEmpty)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(export.log)
        let log = try JSONValue.parse(String(decoding: data, as: UTF8.self))
        let run = log["runs"]?.arrayValue?.first
        let results = run?["results"]?.arrayValue ?? []
        let regression = results.first { $0["ruleId"]?.stringValue == "headroom/regression" }
        let region = regression?["locations"]?[0]?["physicalLocation"]?["region"]
        #expect(region?["startLine"]?.intValue == 10 && region?["endLine"]?.intValue == 16)
        #expect(regression?["message"]?["text"]?.stringValue?.contains("+22.60 pt") == true)
        #expect(regression?["properties"]?["culprit"]?["email"]?.stringValue == "alice@example.com")
        let opportunity = results.first { $0["ruleId"]?.stringValue == "headroom/opportunity/loop-invariant" }
        #expect(opportunity?["locations"]?[0]?["physicalLocation"]?["region"]?["startLine"]?.intValue == 6)
        #expect(opportunity?["fixes"] == nil)

        let path = fixture.dir.file("headroom.sarif")
        try data.write(to: URL(fileURLWithPath: path))
        let expected = try fixture.dir.write("expected.py", fixture.patched)
        let validator = Checkout.root + "/Tests/sarif/validate_sarif.py"
        let ok = try Shell.run(["python3", validator, path, "--expect", "app.py=\(expected)"], timeout: 120)
        #expect(ok.succeeded, "\(ok.stderr)")
        #expect(ok.stdout.contains("\"fixes\": 1"))

        // The checks can fail: a misspelt property, and a fix whose text is not the validated file.
        let misspelt = try fixture.dir.write(
            "misspelt.sarif",
            String(decoding: data, as: UTF8.self).replacingOccurrences(
                of: "\"deletedRegion\"", with: "\"deletedRegoin\""))
        let bad = try Shell.run(["python3", validator, misspelt, "--expect", "app.py=\(expected)"], timeout: 120)
        #expect(!bad.succeeded && bad.stderr.contains("schema"))
        let other = try fixture.dir.write("other.py", fixture.original)
        let wrong = try Shell.run(["python3", validator, path, "--expect", "app.py=\(other)"], timeout: 120)
        #expect(!wrong.succeeded && wrong.stderr.contains("does not yield"))
    }

    /// A fix is offered only against the text it was validated on: once HEAD's file moved on, the finding stays and
    /// the fix goes; an invalid verdict removes the regression.
    @Test("no fix once the file changed; invalid regressions are left out")
    func staleAndInvalid() throws {
        let fixture = try DeliveryFixture()
        defer { fixture.cleanup() }
        try (fixture.original + "\n# later edit\n").write(
            toFile: fixture.repository + "/app.py", atomically: true, encoding: .utf8)
        _ = try DeliveryFixture.git(fixture.repository, ["commit", "-qam", "later edit"])
        var export = try SarifExporter(store: fixture.store).export(service: "shop", repository: nil)
        #expect(export.results == 2 && export.fixes == 0)
        _ = try TriageService(store: fixture.store).decide(regression: fixture.regression.id!, verdict: .invalid)
        export = try SarifExporter(store: fixture.store).export(service: "shop", repository: fixture.repository)
        #expect(export.results == 1)
        #expect(throws: HeadroomError.self) {
            _ = try SarifExporter(store: fixture.store).export(service: "nobody", repository: nil)
        }
    }

    /// `--upload` sends each repository's run to GitHub code scanning (the fake forge's endpoint: gzip + base64,
    /// commit and ref as checked out); a repository without a GitHub `[forge]` is refused in one line.
    @Test("upload to code scanning: the run, gzipped and base64-encoded, for HEAD and its branch")
    func upload() throws {
        let scene = try ForgePublishTests.Scene()
        defer { scene.stop() }
        let forge = scene.forge
        let fixture = try DeliveryFixture(settings: scene.settings())
        defer { fixture.cleanup() }
        var environment = ProcessInfo.processInfo.environment
        environment["HEADROOM_TEST_FORGE_TOKEN"] = ForgePublishTests.token
        let r = try Shell.run(
            [Checkout.binary, "export", "sarif", "--upload", "--store", fixture.storePath], environment: environment,
            timeout: 120)
        #expect(r.succeeded, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("uploaded 2 result(s) for acme/shop"), "\(r.stdout)")
        let head = try DeliveryFixture.git(fixture.repository, ["rev-parse", "HEAD"])
        let sent = try #require(try forge.requests().last)
        #expect(sent["path"]?.stringValue == "/repos/acme/shop/code-scanning/sarifs")
        #expect(sent["body"]?["commit_sha"]?.stringValue == head)
        #expect(sent["body"]?["ref"]?.stringValue == "refs/heads/main")
        #expect(sent["sarif"]?["version"]?.stringValue == "2.1.0" && sent["sarif"]?["results"]?.intValue == 2)
        #expect(!r.stdout.contains(ForgePublishTests.token) && !r.stderr.contains(ForgePublishTests.token))
        // Without a token: one line, nothing sent.
        environment.removeValue(forKey: "HEADROOM_TEST_FORGE_TOKEN")
        let refused = try Shell.run(
            [
                Checkout.binary, "export", "sarif", "--upload", "--store", fixture.storePath, "-o",
                fixture.dir.file("x.sarif"),
            ], environment: environment, inheritEnvironment: false, timeout: 120)
        #expect(!refused.succeeded && refused.stderr.contains("HEADROOM_TEST_FORGE_TOKEN is not set"))
        #expect(try forge.requests().count == 1)
    }

    @Test("line hunks reproduce the patched text, CRLF and a missing final newline included")
    func lineHunks() {
        let cases: [(String, String)] = [
            ("a\nb\nc\n", "a\nB\nc\n"), ("a\nb\nc", "a\nb\nc\nd"), ("x\r\ny\r\n", "x\r\nz\r\ny\r\n"),
            ("import a\n\ndef f():\n    g()\n", "import a\nimport b\n\ndef f():\n    h()\n"), ("", "new\n"),
            ("gone\n", ""), ("same\n", "same\n"),
        ]
        for (original, patched) in cases {
            let hunks = LineHunks.diff(original, patched)
            #expect(LineHunks.apply(hunks, to: original) == patched, "\(original.debugDescription)")
        }
        // Two separate changes stay two hunks.
        #expect(LineHunks.diff("1\n2\n3\n4\n5\n", "1\nX\n3\n4\nY\n").count == 2)
        #expect(LineHunks.position(ofLine: 3, in: "a\nb\nc").line == 2)
        #expect(LineHunks.position(ofLine: 3, in: "a\nb\nc").utf16Column == 1)
    }
}
