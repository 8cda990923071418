#!/usr/bin/env python3
"""Precision of the learning sweep, end to end with the real CLI.

Builds two repositories: `export` (the str-hot fixture plus the planted files of Tests/Fixtures/sweep/ledger) and
`ingest` (Tests/Fixtures/sweep/other), registers both, profiles `export` with py-spy, resolves its string-concat
opportunity into a str-join patch, applies it (`review apply --mark-only`, which runs the sweep), then reads the
opportunities stored for both services and compares each planted function with Tests/Fixtures/sweep/expected.json:
`filed` (a look-alike: must be filed unblocked), `blocked` (a near miss: must be listed blocked) or `absent`
(another shape: must not be filed). Prints the table, precision and recall; `--check` exits 1 on any mismatch.

    python3 Benchmarks/skills/sweep.py [--bin .build/debug/headroom] [--check]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")


def run(cmd, cwd, env, check=True):
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    if check and done.returncode != 0:
        sys.exit(f"{' '.join(cmd[:3])} failed: {done.stderr.strip()[-400:]}")
    return done


def repository(path, sources, env):
    for source in sources:
        shutil.copytree(source, path, dirs_exist_ok=True)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=Fixture", "-c", "user.email=fixture@example.com", "-c", "commit.gpgsign=false",
                  "commit", "-qm", "fixture"]):
        run(["git", *args], path, env)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "debug", "headroom"))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    env = dict(os.environ, HEADROOM_SKILLS=os.path.join(ROOT, "Skills"), GIT_CONFIG_NOSYSTEM="1")
    with open(os.path.join(FIXTURES, "sweep", "expected.json")) as f:
        expected = json.load(f)["functions"]
    with tempfile.TemporaryDirectory(prefix="headroom-sweep-") as work:
        export, ingest = os.path.join(work, "export"), os.path.join(work, "ingest")
        repository(export, [os.path.join(FIXTURES, "skills", "str-hot"), os.path.join(FIXTURES, "sweep", "ledger")], env)
        repository(ingest, [os.path.join(FIXTURES, "sweep", "other")], env)
        store = os.path.join(work, "store.sqlite")
        run([args.bin, "repos", "add", "ingest", ingest, "--store", store], work, env)
        run([args.bin, "record", "--store", store, "--service", "export", "--rate", "250", "--",
             "python3", "bench.py", "2000"], export, env)
        found = json.loads(run([args.bin, "opportunities", "--store", store, "--service", "export", "--repo", export,
                                "--format", "json"], export, env).stdout)["opportunities"]
        target = next(o for o in found if o["pattern"] == "string-concat" and o["function"] == "export")
        def resolve():
            return json.loads(run([args.bin, "resolve", str(target["id"]), "--store", store, "--format", "json",
                                   "--runs", "12"], export, env, check=False).stdout)
        resolved = resolve()
        reason = resolved.get("reason") or ""
        if resolved.get("status") == "refused" and ("no significant speed-up" in reason or "gain is too small" in reason):
            # The A/B benchmark did not show the gain clearly (a loaded machine): measured once more, as
            # acceptance.py does; a refusal for any other reason is final.
            print(f"str-hot fix refused as not clearly faster ({reason}); measuring once more", file=sys.stderr)
            resolved = resolve()
        if resolved.get("status") != "delivered":
            sys.exit(f"the str-hot fix was not delivered: {resolved.get('reason') or resolved}")
        applied = run([args.bin, "review", "apply", str(resolved["patch"]), "--mark-only", "--store", store],
                      export, env)
        print(applied.stdout.strip(), file=sys.stderr)
        stored = []
        for service in ("export", "ingest"):
            stored += json.loads(run([args.bin, "opportunities", "--store", store, "--service", service,
                                      "--format", "json", "--limit", "500"], export, env).stdout)["opportunities"]
    swept = {f"{o['file']}:{o['function']}": o for o in stored if o.get("share_basis") == "sweep"}
    rows, mismatches = [], 0
    for key, want in sorted(expected.items()):
        o = swept.get(key)
        got = "absent" if o is None else ("blocked" if o.get("blocked") else "filed")
        mismatches += got != want
        rows.append(f"| {key} | {want} | {got} | {(o or {}).get('blocked') or ''} |")
    extra = [k for k in swept if k not in expected]
    filed = [k for k, o in swept.items() if not o.get("blocked")]
    true = [k for k in filed if expected.get(k) == "filed"]
    wanted = [k for k, v in expected.items() if v == "filed"]
    print("| planted function | expected | sweep | reason |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    for k in extra:
        print(f"| {k} | (not planted) | {'blocked' if swept[k].get('blocked') else 'filed'} | |")
    precision = len(true) / len(filed) if filed else 1.0
    recall = len(true) / len(wanted) if wanted else 1.0
    blocked_right = sum(1 for k, v in expected.items() if v == "blocked" and swept.get(k, {}).get("blocked"))
    print(f"\nsweep precision {precision:.2f} ({len(true)} of {len(filed)} filed unblocked are planted look-alikes), "
          f"recall {recall:.2f} ({len(true)} of {len(wanted)}), near misses blocked "
          f"{blocked_right} of {sum(1 for v in expected.values() if v == 'blocked')}, unplanted filings {len(extra)}")
    if args.check and (mismatches or extra):
        sys.exit(1)


if __name__ == "__main__":
    main()
