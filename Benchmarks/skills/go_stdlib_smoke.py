#!/usr/bin/env python3
"""Robustness of the Go helper on Go code nobody here wrote: the Go toolchain's own sources ($GOROOT/src).

For every package given (default: every package under $GOROOT/src), `scan` every function, then `fix` every finding
that is not blocked. Counts findings, blocked findings, fixes made and refused, and crashes (a non-zero exit of the
helper: there must be none). Each fix passes the helper's own type check (the patched package type-checks with no
new error) or is refused.

    python3 Benchmarks/skills/go_stdlib_smoke.py --helper PATH [PACKAGE ...]

The helper binary is the one `GoAST` builds (~/.cache/headroom/go-helper-*/headroom-go).
"""
import argparse
import collections
import glob
import json
import os
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--helper", required=True)
    ap.add_argument("packages", nargs="*")
    args = ap.parse_args()
    root = subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True, check=True).stdout.strip() + "/src"
    packages = args.packages or sorted({os.path.relpath(os.path.dirname(f), root)
                                        for f in glob.glob(root + "/**/*.go", recursive=True)
                                        if "testdata" not in f})
    counts, blocked, fixes = collections.Counter(), collections.Counter(), collections.Counter()
    crashes = 0
    started = time.time()
    for package in packages:
        files = [f for f in glob.glob(f"{root}/{package}/*.go") if not f.endswith("_test.go")]
        if not files:
            continue
        sources = [{"path": os.path.relpath(f, root), "source": open(f, errors="replace").read()} for f in files]
        request = {"files": [dict(p, functions=[]) for p in sources], "package": sources, "every_function": True}
        run = subprocess.run([args.helper, "scan"], input=json.dumps(request), capture_output=True, text=True)
        if run.returncode != 0:
            crashes += 1
            print("CRASH scan", package, run.stderr[-300:])
            continue
        for path, functions in json.loads(run.stdout)["files"].items():
            source = next(p["source"] for p in sources if p["path"] == path)
            for function, findings in functions.items():
                for finding in findings:
                    counts[finding["recipe"]] += 1
                    if finding["blocked"]:
                        blocked[finding["recipe"]] += 1
                        continue
                    made = subprocess.run([args.helper, "fix"], input=json.dumps({
                        "path": path, "source": source, "function": function, "recipe": finding["recipe"],
                        "package": sources}), capture_output=True, text=True)
                    if made.returncode != 0:
                        crashes += 1
                        print("CRASH fix", path, function, finding["recipe"], made.stderr[-300:])
                        continue
                    answer = json.loads(made.stdout)
                    if "refused" in answer:
                        fixes["refused"] += 1
                        print("refused", path, function, finding["recipe"], answer["refused"][:160])
                    else:
                        fixes[finding["recipe"]] += 1
    print(f"packages {len(packages)}; findings {dict(counts)}; blocked {dict(blocked)}; fixes {dict(fixes)}; "
          f"crashes {crashes}; {time.time() - started:.0f} s")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
