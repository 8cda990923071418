#!/usr/bin/env python3
"""Labelled CI-benchmark-like series: does `detect --series` find the regressions without crying wolf?

    Benchmarks/detection/ci_series.py [--headroom BIN] [--sets K] [--seed S] [--no-builds]

Real CI benchmark series are not our simulator's fleet: readings are quantised (integer milliseconds, so most
consecutive readings are equal), each build is measured 3-10 times and builds differ from each other by more than
the repeats do (machine, layout, JIT), slow runs come in bursts whose density can grow, and some benchmarks are
bimodal. This script builds such series with known verdicts, 25 to a set in five labelled groups as a human
triage list has them:
  - regression:      a step of +8% to +25% at one build, otherwise like "stable";
  - stable:          build offsets of 0.3%, run noise of 0.5%, integer readings, 3% slow runs (+10-40%); like
                     every quiet group, a 0.5-1.5% level step in 60% of series (a runner or toolchain change that
                     triage calls "not a regression") and a drift of up to 2% in 30%;
  - spiky:           stable, plus slow runs (+15-60%) whose share grows from 2% to 30% across the builds;
  - high-variance:   each run lands in one of two modes 8% apart;
  - build-dependent: build offsets of 1.5% dominate the run noise.
It writes each set as one long CSV `series,timestamp,build,value` (a build's repeats one second apart), runs
`headroom detect --series --format json` on it twice - once with the build column (repeats of a build are one
observation) and once without it (every repeat an independent point, as a tool without build support sees them) -
and scores: a regression counts as found when a persistent `regression` event starts inside the true build's
rows; any `regression` event on one of the 20 quiet series is a false alert. Prints found / false alerts per set
of 25 (averaged over the sets) and by group. The generator is seeded, so every run sees the same series.
"""
import argparse
import csv
import json
import math
import os
import random
import subprocess
import sys
import tempfile
from collections import defaultdict

GROUPS = ["regression", "stable", "spiky", "high-variance", "build-dependent"]


def make_series(rng, group):
    builds = rng.randint(40, 120)
    repeats = rng.randint(3, 10)
    level = math.exp(rng.uniform(math.log(5), math.log(3000)))
    build_sd = 0.015 if group == "build-dependent" else 0.003
    run_sd = 0.005
    step_at = rng.randint(int(builds * 0.3), int(builds * 0.7)) if group == "regression" else None
    step = rng.uniform(0.08, 0.25)
    # Quiet series are not flat either: a runner image or compiler update moves the level by 0.5-1.5% (a real but
    # practically irrelevant step, which triage marks "not a regression"), and some drift by up to 2% overall.
    small_at = rng.randint(int(builds * 0.2), int(builds * 0.8)) if group != "regression" and rng.random() < 0.6 else None
    small = rng.choice([-1, 1]) * rng.uniform(0.005, 0.015)
    drift = rng.uniform(-0.02, 0.02) if rng.random() < 0.3 else 0.0
    rows = []
    for b in range(builds):
        offset = rng.gauss(0, build_sd) + drift * b / builds
        shift = step if step_at is not None and b >= step_at else 0.0
        if small_at is not None and b >= small_at:
            shift += small
        spike_p = 0.03
        if group == "spiky":
            spike_p = 0.02 + 0.28 * b / (builds - 1)
        for r in range(rng.choice([repeats, repeats, repeats, max(3, repeats - 1), repeats + 1])):
            x = level * (1 + shift + offset + rng.gauss(0, run_sd))
            if group == "high-variance" and rng.random() < 0.5:
                x += level * 0.08
            if rng.random() < spike_p:
                x *= 1 + (rng.uniform(0.15, 0.6) if group == "spiky" else rng.uniform(0.10, 0.40))
            rows.append((b, r, float(round(x))))
    return rows, step_at


def write_set(path, rng, start_time=1_793_577_600):
    truth = {}
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["series", "timestamp", "build", "value"])
        for g in GROUPS:
            for i in range(5):
                name = f"{g}-{i}"
                rows, step_at = make_series(rng, g)
                first_row = {}
                for index, (b, r, x) in enumerate(rows):
                    first_row.setdefault(b, index)
                    w.writerow([name, start_time + 3600 * b + r, f"b{b:04d}", f"{x:.0f}"])
                last_row = {b: i for i, (b, _, _) in enumerate(rows)}
                truth[name] = (g, None if step_at is None else (first_row[step_at], last_row[step_at]))
    return truth


def without_builds(src, dst):
    with open(src) as f, open(dst, "w", newline="") as g:
        r, w = csv.reader(f), csv.writer(g)
        next(r)
        w.writerow(["series", "timestamp", "value"])
        for row in r:
            w.writerow([row[0], row[1], row[3]])


def detect(bin_, path):
    out = subprocess.run([bin_, "detect", "--series", path, "--format", "json"], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"detect failed: {out.stderr.strip()}")
    doc = json.loads(out.stdout)
    events = defaultdict(list)
    for reg in doc["regressions"]:
        events[reg["series"]].append((reg["kind"], reg["index"]))
        for member in reg.get("members", []):
            name = member if isinstance(member, str) else member.get("series")
            events[name].append((reg["kind"], None))
    return events


def score(truth, events):
    found, false_alerts, other = 0, defaultdict(int), defaultdict(int)
    for name, (group, span) in truth.items():
        kinds = events.get(name, [])
        if group == "regression":
            if any(k == "regression" and i is not None and span[0] <= i <= span[1] for k, i in kinds):
                found += 1
        else:
            if any(k == "regression" for k, _ in kinds):
                false_alerts[group] += 1
            if any(k != "regression" for k, _ in kinds):
                other[group] += 1
    return found, false_alerts, other


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--headroom", default=os.path.join(root, ".build", "release", "headroom"))
    ap.add_argument("--sets", type=int, default=8)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--no-builds", action="store_true", help="only the run without the build column")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    tmp = tempfile.mkdtemp(prefix="headroom-ci-series-")
    modes = [("repeats as points", False)] + ([] if args.no_builds else [("build column", True)])
    totals = {m: [0, defaultdict(int), defaultdict(int)] for m, _ in modes}
    for s in range(args.sets):
        with_builds = os.path.join(tmp, f"set{s}.csv")
        truth = write_set(with_builds, rng)
        plain = os.path.join(tmp, f"set{s}-points.csv")
        without_builds(with_builds, plain)
        for mode, use_builds in modes:
            found, fa, other = score(truth, detect(args.headroom, with_builds if use_builds else plain))
            totals[mode][0] += found
            for g, n in fa.items():
                totals[mode][1][g] += n
            for g, n in other.items():
                totals[mode][2][g] += n
    k = args.sets
    print(f"{k} sets of 25 labelled series (seed {args.seed}); per set: 5 regressions, 15 quiet series (stable, "
          "high-variance, build-dependent) and 5 spiky ones (a growing share of slow runs, no level change)")
    print("| input | regressions found (of 5) | false regression alerts in 15 quiet | stable | high-variance "
          "| build-dependent | false regression alerts in 5 spiky | other events on the 20 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for mode, _ in modes:
        found, fa, other = totals[mode]
        quiet = fa["stable"] + fa["high-variance"] + fa["build-dependent"]
        print(f"| {mode} | {found / k:.2f} | {quiet / k:.2f} | {fa['stable'] / k:.2f} | {fa['high-variance'] / k:.2f} "
              f"| {fa['build-dependent'] / k:.2f} | {fa['spiky'] / k:.2f} | {sum(other.values()) / k:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
