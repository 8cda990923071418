#!/usr/bin/env python3
"""Production confirmation of a fix on the bundled example, with real profiles.

    python3 Benchmarks/program/confirm.py [--bin .build/debug/headroom] [--workdir DIR]

Runs the demo (real py-spy profiles of every deploy, the regression, its culprit, a validated fix), then does what a
team does next: applies the fix (`review apply`), imports the new commit, records a deploy of it after the demo's
last deploy, and profiles the fixed build under the same load driver four times, one minute apart, with py-spy
(100 Hz, ingested with their sample rate and run time, so the profiles measure cores). `headroom metrics` is read
before and after the deploy: first the A/B estimate (function cores x (1 - 1/speed-up)), then the measured drop
production confirms (median function cores in the buckets before the deploy minus after, one-sided Mann-Whitney).
Prints both, and the figures recomputed from the confirmation's own bucket rows.
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(*args, cwd=None, check=True):
    out = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=1800)
    if check and out.returncode != 0:
        sys.exit(f"{' '.join(args)}: {out.stderr.strip()}")
    return out.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "debug", "headroom"))
    parser.add_argument("--workdir")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    work = args.workdir or tempfile.mkdtemp(prefix="headroom-confirm-")
    shutil.rmtree(work, ignore_errors=True)
    demo = os.path.join(work, "demo")
    run(binary, "demo", "--workdir", demo, "--format", "json", cwd=ROOT)
    store = os.path.join(demo, ".headroom", "headroom.sqlite")
    repo = os.path.join(demo, "shop")
    h = lambda *a: run(binary, *a, "--store", store, cwd=repo)  # noqa: E731

    patches = json.loads(h("tools", "call", "list_patches", '{"status": "delivered"}'))["patches"]
    patch = min(p["patch"] for p in patches)
    h("review", "apply", str(patch), "--no-sweep")
    applied = run("git", "rev-parse", "HEAD", cwd=repo).strip()
    h("changes", "import", "--repo", repo, "--service", "shop")
    import sqlite3
    last = sqlite3.connect(store).execute("SELECT MAX(started_at) FROM profile").fetchone()[0]
    deploy = (last // 60 + 10) * 60 + 30  # ten minutes after the demo's last profile, mid-minute
    until = deploy + 3600
    before = json.loads(h("metrics", "--format", "json", "--until", str(until)))
    h("deploys", "add", "--service", "shop", "--commit", applied, "--at", str(deploy))

    load = ["python3", "load.py", "--seconds", "4"]
    for k in range(1, 5):
        out = os.path.join(work, f"fixed-{k}.folded")
        started = time.monotonic()
        run("py-spy", "record", "-r", "100", "-f", "raw", "-o", out, "--", *load, cwd=repo)
        elapsed = time.monotonic() - started
        h("ingest", out, "--service", "shop", "--at", str(deploy + 60 * k), "--sample-rate", "100",
          "--duration", f"{elapsed:.3f}")
    after = json.loads(h("metrics", "--format", "json", "--until", str(until)))

    def fix(report):
        return next(f for f in report["savings"]["fixes"] if f["patch"] == patch)
    a, b = fix(before), fix(after)
    c = b["confirmation"]
    rows_before = sorted(r["function_cores"] for r in c["buckets"] if r["window"] == "before")
    rows_after = sorted(r["function_cores"] for r in c["buckets"] if r["window"] == "after")

    def median(v):
        n = len(v)
        return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
    drop = median(rows_before) - median(rows_after)
    print(f"patch #{patch} on {a['function']} ({a['service']}): A/B speed-up {a['speedup']:.2f}x")
    print(f"before the deploy: basis {a['basis']}, confirmation {a['confirmation']['state']}: "
          f"{a['function_cores']:.4f} function cores x (1 - 1/{a['speedup']:.2f}) = {a['cores']:.4f} cores recovered")
    print(f"after the deploy of {applied[:10]} and 4 fixed profiles: basis {b['basis']}, confirmation {c['state']} "
          f"(matched by {c['matched_by']}, p = {c['p_value']:.3g}), {len(rows_before)} buckets before / "
          f"{len(rows_after)} after")
    print(f"  function cores: median {c['cores_before']:.4f} before, {c['cores_after']:.4f} after -> measured drop "
          f"{c['drop']:.4f} cores = metrics' {b['cores']:.4f} (recomputed from the bucket rows: {drop:.4f}); "
          f"the A/B estimate was {b['estimated_cores']:.4f}")
    print(f"  mitigated regressions: {before['regressions']['mitigated']} -> {after['regressions']['mitigated']}")
    ok = c["state"] == "confirmed" and b["basis"] == "production" and abs(b["cores"] - drop) < 1e-9
    print("confirmed in production" if ok else "NOT confirmed")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
