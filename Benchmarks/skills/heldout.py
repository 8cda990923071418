#!/usr/bin/env python3
"""Held-out fix success: Python cases written apart from the fixtures the skills were built on, run once through the
same pipeline as acceptance.py (py-spy profile, `headroom opportunities`, `headroom resolve`).

A case behaves as required when it is delivered where the fix is safe and faster, and refused (by a recipe, the
guardrails, the tests or the A/B benchmark) or not offered at all where it is unsafe. Prints a table and the share
that behaves; `--check` exits 1 below 90%.

    python3 Benchmarks/skills/heldout.py [--bin .build/debug/headroom] [--only NAME] [--check]
"""
import argparse
import os
import sys
import tempfile
import textwrap
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import acceptance  # noqa: E402  (same pipeline, same checks)

TOML = textwrap.dedent('''\
    [service]
    name = "app"
    language = "python"

    [commands]
    test = "python3 -m unittest discover -q -s tests -t ."
    bench = "python3 bench.py"
    ''')


def bench(call, setup):
    return textwrap.dedent('''\
        import sys
        import time

        {setup}
        rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
        start = time.process_time()
        for _ in range(rounds):
            {call}
        print(f"{{time.process_time() - start:.6f}}")
        ''').format(setup=textwrap.dedent(setup).strip(), call=call)


# name: (pattern, function, expect, module path, module source, test source, bench setup, bench call)
CASES = {
    "h-regex-findall": ("regex-compile", "amounts", "delivered", "app/parse.py", '''\
        import re


        def amounts(line):
            """Every integer in the line."""
            return [int(x) for x in re.findall(r"-?\\d+", line)]
        ''', '''\
        import unittest
        from app.parse import amounts


        class T(unittest.TestCase):
            def test_amounts(self):
                self.assertEqual(amounts("a 12 b -3"), [12, -3])
        ''', 'from app.parse import amounts\nLINES = [f"id {i} qty {i % 7} x" for i in range(3000)]',
        "for line in LINES: amounts(line)"),
    "h-log-pure-helper": ("logging", "settle", "delivered", "app/settle.py", '''\
        import logging

        log = logging.getLogger("settle")


        def describe(batch):
            return ", ".join(sorted(f"{k}={v}" for k, v in batch.items()))


        def settle(batch):
            log.debug("settling %s", describe(batch))
            return sum(batch.values())
        ''', '''\
        import unittest
        from app.settle import settle


        class T(unittest.TestCase):
            def test_settle(self):
                self.assertEqual(settle({"a": 1, "b": 2}), 3)
        ''', 'from app.settle import settle\nBATCHES = [{f"k{j}": j for j in range(12)} for _ in range(400)]',
        "for b in BATCHES: settle(b)"),
    "h-memo-tuple": ("memoize", "route_cost", "delivered", "app/route.py", '''\
        def route_cost(path):
            """Cost of a route given as a tuple of hops (pure: depends only on the hops)."""
            cost = 0
            for a, b in zip(path, path[1:]):
                cost += (abs(a - b) * 37) % 11 + sum(i * i for i in range(abs(a - b) % 40))
            return cost
        ''', '''\
        import unittest
        from app.route import route_cost


        class T(unittest.TestCase):
            def test_cost(self):
                self.assertEqual(route_cost((1, 2)), 4)
        ''', 'from app.route import route_cost\nROUTES = [tuple(range(i % 5, i % 5 + 6)) for i in range(600)]',
        "for r in ROUTES: route_cost(r)"),
    "h-memo-dict-arg": ("memoize", "weight", "refused", "app/weight.py", '''\
        def weight(item):
            """Shipping weight of an item dict."""
            return item["grams"] * 1.1 + sum(i for i in range(item["grams"] % 50))
        ''', '''\
        import unittest
        from app.weight import weight


        class T(unittest.TestCase):
            def test_weight(self):
                self.assertAlmostEqual(weight({"grams": 10}), 11 + 45)
        ''', 'from app.weight import weight\nITEMS = [{"grams": i % 90} for i in range(800)]',
        "for it in ITEMS: weight(it)"),
    "h-set-extensions": ("membership", "images", "delivered", "app/files.py", '''\
        def images(names):
            """The names with an image extension."""
            out = []
            for name in names:
                if name.rsplit(".", 1)[-1] in ["jpg", "jpeg", "png", "gif", "webp", "bmp", "tiff", "svg", "heic", "avif"]:
                    out.append(name)
            return out
        ''', '''\
        import unittest
        from app.files import images


        class T(unittest.TestCase):
            def test_images(self):
                self.assertEqual(images(["a.png", "b.txt", "c.avif"]), ["a.png", "c.avif"])
        ''', 'from app.files import images\nNAMES = [f"f{i}.{e}" for i, e in zip(range(4000), ["txt", "md", "avif", "csv"] * 1000)]',
        "images(NAMES)"),
    "h-set-grows": ("membership", "first_seen", "refused", "app/seen.py", '''\
        SEEN = ["boot"]


        def first_seen(events):
            """Events whose name was not seen before; every new name is remembered."""
            out = []
            for event in events:
                if event not in SEEN:
                    SEEN.append(event)
                    out.append(event)
            return out
        ''', '''\
        import unittest
        from app.seen import first_seen


        class T(unittest.TestCase):
            def test_first(self):
                self.assertEqual(first_seen(["a", "a", "boot", "b"]), ["a", "b"])
        ''', 'from app.seen import first_seen\nEVENTS = [f"e{i % 300}" for i in range(2000)]',
        "first_seen(EVENTS)"),
    "h-str-html": ("string-concat", "bullets", "delivered", "app/html.py", '''\
        def bullets(items):
            """An HTML list of the items."""
            html = "<ul>"
            for item in items:
                html += "<li>"
                html += item
                html += "</li>"
            html += "</ul>"
            return html
        ''', '''\
        import unittest
        from app.html import bullets


        class T(unittest.TestCase):
            def test_list(self):
                self.assertEqual(bullets(["a", "b"]), "<ul><li>a</li><li>b</li></ul>")
        ''', 'from app.html import bullets\nITEMS = [f"item {i}" for i in range(5000)]',
        "bullets(ITEMS)"),
    "h-str-progress": ("string-concat", "progress", "refused", "app/progress.py", '''\
        def progress(steps, report):
            """The log of steps; `report` sees the log so far after each one."""
            log = ""
            for step in steps:
                log += step + "\\n"
                report(log)
            return log
        ''', '''\
        import unittest
        from app.progress import progress


        class T(unittest.TestCase):
            def test_reports_partial(self):
                seen = []
                progress(["a", "b"], seen.append)
                self.assertEqual(seen, ["a\\n", "a\\nb\\n"])
        ''', 'from app.progress import progress\nSTEPS = [f"step {i}" for i in range(3000)]\nsink = []',
        "progress(STEPS, sink.append)"),
    "h-parse-decimal": ("constant-parse", "with_tax", "delivered", "app/tax.py", '''\
        from decimal import Decimal


        def with_tax(cents):
            """Cents with 7.25% tax, rounded to the cent."""
            rate = Decimal("0.0725")
            return int((Decimal(cents) * (1 + rate)).quantize(Decimal("1")))
        ''', '''\
        import unittest
        from app.tax import with_tax


        class T(unittest.TestCase):
            def test_tax(self):
                self.assertEqual(with_tax(1000), 1072)
        ''', 'from app.tax import with_tax\nAMOUNTS = list(range(100, 6100))',
        "for a in AMOUNTS: with_tax(a)"),
    "h-parse-date-arg": ("constant-parse", "day_of", "refused", "app/days.py", '''\
        from datetime import datetime


        def day_of(stamp):
            """The weekday of a `YYYY-MM-DD` stamp."""
            return datetime.strptime(stamp, "%Y-%m-%d").weekday()
        ''', '''\
        import unittest
        from app.days import day_of


        class T(unittest.TestCase):
            def test_day(self):
                self.assertEqual(day_of("2024-03-04"), 0)
        ''', 'from app.days import day_of\nSTAMPS = [f"2024-03-{1 + i % 28:02d}" for i in range(2000)]',
        "for s in STAMPS: day_of(s)"),
    "h-dict-miss": ("exception-control-flow", "tally", "delivered", "app/tally.py", '''\
        def tally(words):
            """Counts of words, most of which are new."""
            counts = {}
            for word in words:
                try:
                    n = counts[word]
                except KeyError:
                    n = 0
                counts[word] = n + 1
            return counts
        ''', '''\
        import unittest
        from app.tally import tally


        class T(unittest.TestCase):
            def test_tally(self):
                self.assertEqual(tally(["a", "b", "a"]), {"a": 2, "b": 1})
        ''', 'from app.tally import tally\nWORDS = [f"w{i}" for i in range(6000)]',
        "tally(WORDS)"),
    "h-invariant-config": ("loop-invariant", "scale", "delivered", "app/scale.py", '''\
        import json


        def scale(values, settings):
            """Each value times the configured factor, with the settings echoed as JSON per row."""
            out = []
            for v in values:
                out.append((v * settings["units"]["scale"]["factor"], json.dumps(settings["units"])))
            return out
        ''', '''\
        import unittest
        from app.scale import scale


        class T(unittest.TestCase):
            def test_scale(self):
                s = {"units": {"scale": {"factor": 2}}}
                self.assertEqual(scale([1], s), [(2, '{"scale": {"factor": 2}}')])
        ''', 'from app.scale import scale\nS = {"units": {"scale": {"factor": 3}, "names": list(range(20))}}\nV = list(range(2000))',
        "scale(V, S)"),
}


def materialize(root, name, case):
    pattern, function, expect, path, module, tests, setup, call = case
    folder = os.path.join(root, name)
    package = os.path.dirname(path)
    for rel, text in {path: module, os.path.join(package, "__init__.py"): "", "tests/__init__.py": "",
                      "tests/test_case.py": tests, "headroom.toml": TOML, "bench.py": bench(call, setup)}.items():
        target = os.path.join(folder, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w") as f:
            f.write(textwrap.dedent(text))
    # Rounds for about two seconds of benchmark, so that py-spy sees a few hundred samples.
    import subprocess
    took = float(subprocess.run([sys.executable, "bench.py", "5"], cwd=folder, capture_output=True, text=True,
                                check=True).stdout.strip() or 0.01)
    return {"pattern": pattern, "function": function, "expect": expect,
            "rounds": max(5, int(5 * 2.0 / max(took, 1e-3)))}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", default=os.path.join(acceptance.ROOT, ".build", "debug", "headroom"))
    parser.add_argument("--only", action="append")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    env = dict(os.environ, HEADROOM_SKILLS=os.path.join(acceptance.ROOT, "Skills"), GIT_CONFIG_NOSYSTEM="1")
    cases_dir = tempfile.mkdtemp(prefix="headroom-heldout-cases-")
    workdir = tempfile.mkdtemp(prefix="headroom-heldout-")
    acceptance.FIXTURES = cases_dir
    good = total = 0
    print("| case | pattern | expected | outcome | speed-up | reason |")
    print("|---|---|---|---|---|---|")
    for name, case in CASES.items():
        if args.only and name not in args.only:
            continue
        spec = materialize(cases_dir, name, case)
        started = time.time()
        r = acceptance.one(name, spec, args.bin, workdir, env)
        status = r.get("status")
        offered = status != "error" or "no " + spec["pattern"] not in (r.get("reason") or "")
        if spec["expect"] == "delivered":
            ok = status == "delivered" and r.get("checkout_untouched", False)
        else:
            ok = status == "refused" or not offered
        total += 1
        good += ok
        v = r.get("validation") or {}
        speed = f"{v['speedup']:.2f}×" if v.get("speedup") else ""
        outcome = status if offered else "not offered"
        print(f"| {name} | {spec['pattern']} | {spec['expect']} | {outcome}{'' if ok else ' ✗'} | {speed} | "
              f"{(r.get('reason') or '')[:150]} | ({time.time() - started:.0f} s)")
    share = good / total if total else 1.0
    print(f"\nheld-out: {good} of {total} behave as required ({share:.0%})")
    if args.check and share < 0.9:
        sys.exit(1)


if __name__ == "__main__":
    main()
