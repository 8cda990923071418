import Foundation
import HeadroomCore
import HeadroomSkills
import HeadroomTesting
import Testing

@Suite("log-guard skill, guardrails and validation", .ownThreads)
struct SkillTests {
    let module = """
        import logging

        logger = logging.getLogger(__name__)


        def hot(items):
            total = 0
            for item in items:
                logger.debug(f"item {item} total={total}")
                total += item
            return total


        def other():
            return 1
        """

    @Test("eager logging is wrapped in an isEnabledFor guard inside the function only")
    func guardsLogging() throws {
        let edit = try LogGuardRecipe().apply(source: module, path: "m.py", function: "hot")
        #expect(
            edit.patched.contains(
                "        if logger.isEnabledFor(logging.DEBUG):\n            logger.debug(f\"item {item} total={total}\")"
            ))
        #expect(Guardrails.changedOriginalLines(edit.original, edit.patched).allSatisfy { edit.span.contains($0) })
        try Guardrails().check(edit)
    }

    @Test("logging whose arguments call other code is refused: skipping it would skip side effects")
    func refusesSideEffects() {
        let impure = module.replacingOccurrences(
            of: "logger.debug(f\"item {item} total={total}\")",
            with: "logger.debug(\"item %s\", record_metric(item))")
        #expect(throws: Refusal.self) { try LogGuardRecipe().apply(source: impure, path: "m.py", function: "hot") }
    }

    @Test("logging whose arguments call a pure helper of the same module is guarded (skipping it changes nothing)")
    func guardsPureHelpers() throws {
        let source =
            module.replacingOccurrences(
                of: "logger.debug(f\"item {item} total={total}\")",
                with: "logger.debug(\"item %s\", describe(items))")
            + "\n\ndef describe(items):\n    return \", \".join(sorted(str(i) for i in items))\n"
        let edit = try LogGuardRecipe().apply(source: source, path: "m.py", function: "hot")
        #expect(edit.patched.contains("if logger.isEnabledFor(logging.DEBUG):\n            logger.debug(\"item %s\""))
        try Guardrails().check(edit)
    }

    @Test("already guarded or lazy logging gives nothing to do")
    func refusesWhenNothingToDo() {
        let lazy = module.replacingOccurrences(
            of: "logger.debug(f\"item {item} total={total}\")",
            with: "logger.debug(\"item %s\", item)")
        #expect(throws: Refusal.self) { try LogGuardRecipe().apply(source: lazy, path: "m.py", function: "hot") }
        #expect(throws: Refusal.self) { try LogGuardRecipe().apply(source: module, path: "m.py", function: "missing") }
    }

    @Test("guardrails reject a patch that does not parse or strays outside the function")
    func guardrailsReject() throws {
        let good = try LogGuardRecipe().apply(source: module, path: "m.py", function: "hot")
        var broken = good
        broken.patched = good.patched.replacingOccurrences(of: "return total", with: "return total)")
        #expect(throws: Refusal.self) { try Guardrails().check(broken) }
        var stray = good
        stray.patched = good.patched.replacingOccurrences(of: "    return 1", with: "    return 2")
        do {
            try Guardrails().check(stray)
            Issue.record("stray edit passed")
        } catch let refusal as Refusal {
            #expect(refusal.reason.contains("right-function"))
        }
    }

    @Test("the A/B benchmark finds a 2× faster side significant and measures about 2×")
    func abBenchmark() throws {
        let slow = try TemporaryDirectory()
        let fast = try TemporaryDirectory()
        defer { slow.cleanup(); fast.cleanup() }
        try fast.write("bench.py", "import random\nprint(0.010 + random.random() * 0.0005)\n")
        try slow.write("bench.py", "import random\nprint(0.020 + random.random() * 0.0005)\n")
        let result = try Validator(configuration: .init(runs: 8)).abBenchmark(
            "python3 bench.py", before: slow.path, after: fast.path)
        #expect(result.pValue < 0.01)
        #expect(abs(result.speedup - 2) < 0.15)
        #expect(result.isSignificantGain)
        let same = try Validator(configuration: .init(runs: 8)).abBenchmark(
            "python3 bench.py", before: slow.path, after: slow.path)
        #expect(abs(same.speedup - 1) < 0.05)
    }

    @Test("tests that fail are reported as failed with their output")
    func failingTests() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let result = try Validator().runTests("echo broken >&2; exit 3", in: dir.path)
        #expect(!result.passed)
        #expect(result.detail.contains("broken"))
    }
}
