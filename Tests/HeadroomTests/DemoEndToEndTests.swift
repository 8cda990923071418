import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HeadroomCore
import HeadroomTesting
import Testing

/// The whole loop through the built binary, with a short profiling window; skipped only where py-spy is missing
/// (scripts/test.sh installs it, so CI always runs it).
@Suite("demo end to end", .serialized)
struct DemoEndToEndTests {
    struct Expected: Decodable {
        var culprit_message: String
        var culprit_author: String
        var regressed_function: String
        var regressed_file: String
    }

    @Test("the demo finds the culprit's regression, names the commit and author, and delivers a validated branch",
          .enabled(if: Shell.which("py-spy") != nil, "py-spy is not installed"))
    func demo() throws {
        let dir = try TemporaryDirectory(prefix: "headroom-demo-test")
        defer { dir.cleanup() }
        let workdir = dir.file("work")
        let result = try Checkout.headroom(
            ["demo", "--workdir", workdir, "--seconds", "1.5", "--runs", "10", "--format", "json"], in: Checkout.root,
            timeout: 900)
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try JSONDecoder().decode(
            Expected.self,
            from: Data(contentsOf: URL(fileURLWithPath: Checkout.root + "/Examples/shop/expected.json")))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let regression = try #require(report["regression"] as? [String: Any])
        #expect(regression["function"] as? String == expected.regressed_function)
        #expect(regression["file"] as? String == expected.regressed_file)
        #expect((regression["after"] as? Double ?? 0) > (regression["before"] as? Double ?? 1))
        #expect((regression["relative_change"] as? Double ?? 0) > 0.5)

        let rootCause = try #require(report["root_cause"] as? [String: Any])
        #expect(rootCause["author"] as? String == expected.culprit_author)
        #expect(rootCause["message"] as? String == expected.culprit_message)
        let repository = try #require(report["repository"] as? String)
        let sha = try #require(rootCause["commit"] as? String)
        let subject = try Shell.run(["git", "-C", repository, "log", "-1", "--format=%s", sha]).stdout
        #expect(subject.trimmingCharacters(in: .newlines) == expected.culprit_message)

        let branch = try #require(report["branch"] as? String)
        #expect(branch.hasPrefix("headroom/"))
        let current = try Shell.run(["git", "-C", repository, "rev-parse", "--abbrev-ref", "HEAD"]).stdout
        #expect(current.trimmingCharacters(in: .newlines) == "main")
        // The branch's diff touches only apply_discounts: every hunk lies inside its span at main.
        let diff = try Shell.run(["git", "-C", repository, "diff", "-U0", "main", branch]).stdout
        #expect(diff.contains("isEnabledFor(logging.DEBUG)"))
        #expect(Set(diff.split(separator: "\n").filter { $0.hasPrefix("+++ ") }) == ["+++ b/shop/pricing.py"])
        let source = try Shell.run(["git", "-C", repository, "show", "main:shop/pricing.py"]).stdout
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0.hasPrefix("def apply_discounts") }) + 1
        let end = try #require(lines[start...].firstIndex { $0.hasPrefix("def ") })
        for header in diff.split(separator: "\n") where header.hasPrefix("@@") {
            let old = header.split(separator: " ")[1].dropFirst().split(separator: ",")
            let line = Int(old[0]) ?? 0
            #expect(line >= start && line < end, "hunk \(header) outside apply_discounts (\(start)-\(end))")
        }

        // diff across the culprit's deploy ranks the regressed function first; the flame graphs are well-formed SVG.
        let store = workdir + "/.headroom/headroom.sqlite"
        let onsetText = try #require(regression["timestamp"] as? String)
        let onset = try #require(Timestamps.parse(onsetText))
        let diffRun = try Checkout.headroom(
            ["diff", "--store", store, "--service", "shop", "--before", "..\(onset - 1)", "--after", "\(onset)..",
             "--format", "json"])
        #expect(diffRun.status == 0, "\(diffRun.stderr)")
        let diffJSON = try #require(try JSONSerialization.jsonObject(with: Data(diffRun.stdout.utf8)) as? [String: Any])
        let firstRow = try #require((diffJSON["functions"] as? [[String: Any]])?.first)
        #expect(firstRow["function"] as? String == expected.regressed_function)
        #expect(firstRow["significant"] as? Bool == true)
        #expect((firstRow["change"] as? Double ?? 0) > 0.05)
        let svg = dir.file("diff.svg")
        let flame = try Checkout.headroom(
            ["flamegraph", "--store", store, "--service", "shop", "--diff", "--before", "..\(onset - 1)",
             "--after", "\(onset)..", "--out", svg])
        #expect(flame.status == 0, "\(flame.stderr)")
        let svgData = try Data(contentsOf: URL(fileURLWithPath: svg))
        #expect(XMLParser(data: svgData).parse(), "the SVG is not well-formed XML")
        let svgText = String(decoding: svgData, as: UTF8.self)
        #expect(svgText.contains("<title>\(expected.regressed_function) (\(expected.regressed_file))"))
        #expect(!svgText.contains("<script"))

        let validation = try #require(report["validation"] as? [String: Any])
        #expect(validation["tests_passed"] as? Bool == true)
        #expect((validation["p_value"] as? Double ?? 1) < 0.05)
        #expect((validation["speedup"] as? Double ?? 0) > 1.2)
        let ci = try #require(validation["ci95"] as? [Double])
        #expect(ci.count == 2 && ci[0] > 1)
        let pr = try #require(report["pr_description"] as? String)
        let text = try String(contentsOfFile: pr, encoding: .utf8)
        #expect(text.contains(expected.culprit_author))
        #expect(text.contains("## Validation"))
    }
}
