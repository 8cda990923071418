#!/usr/bin/env python3
"""Which features the ranking's accuracy rests on: re-rank evaluate.py's --json output with each weight set to zero.

    ablate.py RESULTS.json
"""
import json
import sys

WEIGHTS = {"attribution": 0.40, "touch": 0.10, "stack": 0.05, "file": 0.05, "time": 0.20, "service": 0.05,
           "content": 0.10, "config": 0.30, "size": 0.02}  # RootCauseRanker.Weights.standard


def top1(rows, weights):
    hits = 0
    for row in rows:
        scored = sorted(row["features"], key=lambda c: (-sum(weights[k] * c["features"].get(k, 0) for k in weights),
                                                        c["ref"]))
        hits += scored[0]["ref"] == row["culprit"]
    return hits / max(len(rows), 1)


rows = [r for r in json.load(open(sys.argv[1]))["rows"] if r["matched"]]
print(f"{'without':<14}{'top-1':>8}   ({len(rows)} regressions)")
print(f"{'(none)':<14}{top1(rows, WEIGHTS):>8.3f}")
for name in WEIGHTS:
    print(f"{name:<14}{top1(rows, dict(WEIGHTS, **{name: 0})):>8.3f}")
only = {k: 0 for k in WEIGHTS}
print(f"{'only time':<14}{top1(rows, dict(only, time=1)):>8.3f}")
print(f"{'only touch':<14}{top1(rows, dict(only, touch=1, time=0.01)):>8.3f}")
