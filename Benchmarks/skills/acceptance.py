#!/usr/bin/env python3
"""Acceptance run of the skills on the fixture repositories (Tests/Fixtures/skills, and with --go
Tests/Fixtures/skills-go).

For each fixture: copy it into a fresh git repository, profile its benchmark (`headroom record`: py-spy for the
Python fixtures, `go test -bench -cpuprofile` for the Go ones), scan it (`headroom opportunities --repo`), resolve the
expected opportunity (`headroom resolve`), and compare the outcome with expected.json. Prints a markdown table;
`--check` exits 1 when any outcome differs.

    python3 Benchmarks/skills/acceptance.py [--bin .build/debug/headroom] [--go] [--only NAME] [--check]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "skills")
GO_FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "skills-go")


def run(cmd, cwd, env, timeout=600):
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def one(name, spec, binary, workdir, env, fixtures=None):
    repo = os.path.join(workdir, name)
    shutil.copytree(os.path.join(fixtures or FIXTURES, name), repo)
    git = lambda *a: run(["git", *a], repo, env)
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("-c", "user.name=Fixture", "-c", "user.email=fixture@example.com", "-c", "commit.gpgsign=false",
        "commit", "-qm", "fixture")
    store = os.path.join(workdir, name + ".sqlite")
    service = name
    if "package" in spec:  # Go: the package's benchmark under go test's own CPU profiler
        command = ["go", "test", "-run", "^$", "-bench", ".", "-benchtime", f"{spec['rounds']}x", "-count", "1",
                   "./" + spec["package"]]
    else:
        command = ["python3", "bench.py", str(spec["rounds"])]
    rec = run([binary, "record", "--store", store, "--service", service, "--rate", "250", "--"] + command, repo, env)
    if rec.returncode != 0 and "could not attach" in rec.stderr:
        # py-spy attaches after starting the program: on a busy machine a short run can be over first. Once more.
        rec = run([binary, "record", "--store", store, "--service", service, "--rate", "250", "--"] + command, repo,
                  env)
    if rec.returncode != 0:
        return {"status": "error", "reason": "record: " + rec.stderr.strip()[-200:]}
    scan = run([binary, "opportunities", "--store", store, "--service", service, "--repo", repo,
                "--format", "json"], repo, env)
    if scan.returncode != 0:
        return {"status": "error", "reason": "opportunities: " + scan.stderr.strip()[-200:]}
    found = [o for o in json.loads(scan.stdout)["opportunities"]
             if o["pattern"] == spec["pattern"] and (o["function"] == spec["function"]
                                                     or o["function"].split(".")[-1] == spec["function"])]
    if not found:
        return {"status": "error", "reason": f"no {spec['pattern']} opportunity for {spec['function']} "
                f"(found: {[(o['pattern'], o['function']) for o in json.loads(scan.stdout)['opportunities']]})"}
    opportunity = found[0]
    head = run(["git", "rev-parse", "HEAD"], repo, env).stdout.strip()
    started = time.time()
    res = run([binary, "resolve", str(opportunity["id"]), "--store", store, "--format", "json", "--runs", "16"], repo, env)
    elapsed = time.time() - started
    if res.returncode not in (0, 2):
        return {"status": "error", "reason": "resolve: " + res.stderr.strip()[-300:]}
    result = json.loads(res.stdout)
    result["share"] = opportunity["share"]
    result["predicted"] = opportunity["share"] * (opportunity["savings_cores"] / opportunity["cores"]
                                                  if opportunity["cores"] else 0)
    result["share_basis"] = opportunity["share_basis"]
    result["listed_blocked"] = bool(opportunity.get("blocked"))
    result["wall"] = elapsed
    # Safety: the checked-out branch and work tree are untouched.
    after = run(["git", "rev-parse", "HEAD"], repo, env).stdout.strip()
    dirty = run(["git", "status", "--porcelain", "--untracked-files=no"], repo, env).stdout.strip()
    branch = run(["git", "rev-parse", "--abbrev-ref", "HEAD"], repo, env).stdout.strip()
    result["checkout_untouched"] = after == head and not dirty and branch == "main"
    return result


def as_expected(r, spec):
    """Whether a fixture's outcome is the one expected.json names."""
    ok = r.get("status") == spec["expect"] and r.get("checkout_untouched", False)
    if spec["expect"] == "delivered":
        ok = ok and r.get("skill") == spec["skill"] and (r.get("branch") or "").startswith("headroom/opportunity-")
    else:
        # A reason, or a list of reasons any of which is the expected one (a patch with no gain worth having is
        # refused as not significantly faster, or, when a loaded machine measures a few per cent, as too small).
        reasons = spec["reason"] if isinstance(spec["reason"], list) else [spec["reason"]]
        ok = ok and any(reason in (r.get("reason") or "") for reason in reasons)
    # Where the fixture says how the scan must list it (blocked: too small to be worth a patch), it must.
    if "listed_blocked" in spec:
        ok = ok and r.get("listed_blocked") == spec["listed_blocked"]
    return ok


def is_inconclusive(r):
    """A refusal because the A/B benchmark did not show the gain clearly enough (noise), not for a reason of code."""
    reason = r.get("reason") or ""
    return r.get("status") == "refused" and ("no significant speed-up" in reason or "gain is too small" in reason)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "debug", "headroom"))
    parser.add_argument("--only", action="append")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--go", action="store_true", help="the Go fixtures (Tests/Fixtures/skills-go)")
    args = parser.parse_args()
    fixtures = GO_FIXTURES if args.go else FIXTURES
    expected = json.load(open(os.path.join(fixtures, "expected.json")))
    env = dict(os.environ, HEADROOM_SKILLS=os.path.join(ROOT, "Skills"), GIT_CONFIG_NOSYSTEM="1")
    workdir = tempfile.mkdtemp(prefix="headroom-skills-")
    failures = []
    ratios = []
    print("| fixture | opportunity | share | expected | outcome | skill | speed-up (95% CI) | p | "
          "predicted / measured saving | time to branch | reason |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    try:
        for name, spec in expected.items():
            if args.only and name not in args.only:
                continue
            r = one(name, spec, args.bin, workdir, env, fixtures)
            ok = as_expected(r, spec)
            retried = ""
            # A fix that must be delivered but was refused as not (significantly) faster is measured once more, in a
            # fresh copy: on a machine busy with other work one A/B can be too noisy to settle (a 1.46x fix once read
            # 1.19x, interval 0.98-1.81). A fixture that must be refused never gets a second try.
            if not ok and spec["expect"] == "delivered" and is_inconclusive(r):
                retried = f"measured again after: {r.get('reason')}"
                r = one(name, spec, args.bin, tempfile.mkdtemp(dir=workdir), env, fixtures)
                ok = as_expected(r, spec)
            v = r.get("validation") or {}
            if not ok:
                failures.append(name)
            speed = f"{v['speedup']:.2f}× ({v['ci95'][0]:.2f}–{v['ci95'][1]:.2f})" if v else ""
            pval = f"{v['p_value']:.1g}" if v else ""
            took = f"{r['wall']:.1f} s" if r.get("status") == "delivered" else ""
            share = f"{r['share'] * 100:.1f}% ({r['share_basis']})" if "share" in r else ""
            # Calibration: the scan's predicted saving (share × factor) against the A/B's, 1 − 1/speed-up.
            calibration = ""
            if v and r.get("status") == "delivered":
                measured = 1 - 1 / v["speedup"]
                ratios.append(r["predicted"] / measured)
                calibration = f"{r['predicted'] * 100:.1f}% / {measured * 100:.1f}% ({ratios[-1]:.2f})"
            reason = ((r.get("reason") or "") + (f" ({retried})" if retried else "")).replace("|", "/")[:300]
            print(f"| {name} | {spec['pattern']} `{spec['function']}` | {share} | {spec['expect']} | "
                  f"{r.get('status')}{'' if ok else ' ✗'} | {r.get('skill') or ''} | {speed} | {pval} | {calibration} | "
                  f"{took} | {reason} |")
            sys.stdout.flush()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if ratios:
        within = sum(1 for x in ratios if 0.5 <= x <= 2)
        print(f"\npredicted within 2× of measured: {within} of {len(ratios)} delivered fixes; "
              f"predicting over 3×: {sum(1 for x in ratios if x > 3)}")
    if failures:
        print(f"\nNOT AS EXPECTED: {', '.join(failures)}")
    return 1 if args.check and failures else 0


if __name__ == "__main__":
    sys.exit(main())
