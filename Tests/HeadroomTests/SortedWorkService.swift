import HeadroomTesting

/// A Python service whose `work` gained a sort per call in Dana's commit (Ada's is the base): no targeted skill
/// matches, so a fix reverts the culprit hunk; its tests pass and its A/B benchmark shows the gain. Shared by the
/// SQLite and the team-mode fix tests.
enum SortedWorkService {
    /// Commits the base, then the slow `work` (`slowTail`: more lines the culprit adds after the sort), into `repo`;
    /// `settings` is appended to its `headroom.toml`. Returns the two commits.
    static func commit(_ repo: ScratchRepository, settings: String = "", slowTail: String = "") throws
        -> (good: String, bad: String)
    {
        let base: [String: String] = [
            "headroom.toml":
                "[service]\nname = \"svc\"\n[commands]\ntest = \"python3 -m unittest -q test_app\"\nbench = \"python3 bench.py\"\n"
                + settings,
            "app.py":
                "def work(x):\n    total = 0\n    for i in range(50):\n        total += (x * i) % 7\n    return total\n\n\ndef handle(xs):\n    return [work(x) for x in xs]\n",
            "test_app.py":
                "import unittest\n\nfrom app import handle\n\n\nclass T(unittest.TestCase):\n    def test_handle(self):\n        self.assertEqual(handle([1]), [sum((i % 7) for i in range(50))])\n",
            "bench.py":
                "import time\n\nfrom app import handle\n\nstart = time.perf_counter()\nhandle(list(range(3000)))\nprint(f\"{time.perf_counter() - start:.6f}\")\n",
        ]
        let good = try repo.commit(base, message: "service", author: "Ada Base", time: 1_793_600_000)
        var slow = base
        slow["app.py"] = base["app.py"]!.replacingOccurrences(
            of: "    return total\n\n\ndef handle",
            with: "    ranked = sorted(range(400), key=lambda v: -v)\n    total += ranked[-1]\n" + slowTail
                + "    return total\n\n\ndef handle")
        let bad = try repo.commit(slow, message: "rank candidates in work", author: "Dana Culprit", time: 1_793_603_600)
        return (good, bad)
    }
}
