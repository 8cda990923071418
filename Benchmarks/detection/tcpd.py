#!/usr/bin/env python3
"""Real change-point series: `headroom changepoints` on the Turing Change Point Dataset (TCPD), scored as TCPDBench
scores it, beside the published default-parameter results of the methods TCPDBench ran.

    Benchmarks/detection/tcpd.py [--headroom BIN] [--data DIR] [--per-dataset] [-- EXTRA changepoints ARGS]

DIR (default: $TCPD_DIR, else ../shared/tcpd, else .tcpd) holds TCPD as its repository lays it out:
`annotations.json` (dataset -> annotator -> change points) and `datasets/NAME.json` or `datasets/NAME/NAME.json`
(`series[i].raw`, null for a missing value), plus optionally `published_default.json` (TCPDBench's
`analysis/output/scores/default_{f1,cover}_scores.json`, per dataset and method) for the comparison columns. The
data is not ours to ship: without DIR the script says so and exits 0. See Benchmarks/detection/README-tcpd.md.

Scoring is TCPDBench's (van den Burg & Williams, 2020), on univariate series only (its "univariate" table):
  - F1 with a margin of 5 points: precision against the union of the annotators' change points, recall the mean
    over annotators, both with the point 0 added to every set;
  - cover: the mean over annotators of the covering of each annotator's segmentation by the predicted one.
Each dataset is one CSV (`value`, empty cell for a missing point) given to `headroom changepoints --format json`
with its default configuration; a predicted change point is the row where the new segment starts.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

MARGIN = 5


def true_positives(T, X, margin=MARGIN):
    X = set(X)
    TP = set()
    for tau in sorted(T):
        close = sorted((abs(tau - x), x) for x in X if abs(tau - x) <= margin)
        if close:
            TP.add(tau)
            X.remove(close[0][1])
    return TP


def f_measure(annotations, predictions, margin=MARGIN):
    Tks = [set(a) | {0} for a in annotations.values()]
    X = set(predictions) | {0}
    Tstar = set().union(*Tks)
    P = len(true_positives(Tstar, X, margin)) / len(X)
    R = sum(len(true_positives(Tk, X, margin)) / len(Tk) for Tk in Tks) / len(Tks)
    return 0.0 if P + R == 0 else 2 * P * R / (P + R)


def partition(cps, n):
    bounds = [0] + sorted(c for c in set(cps) if 0 < c < n) + [n]
    return [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]


def cover_single(truth, pred):
    total = 0.0
    for a0, a1 in truth:
        best = 0.0
        for b0, b1 in pred:
            inter = max(0, min(a1, b1) - max(a0, b0))
            if inter:
                best = max(best, inter / (max(a1, b1) - min(a0, b0)))
        total += (a1 - a0) * best
    return total / sum(a1 - a0 for a0, a1 in truth)


def covering(annotations, predictions, n):
    pred = partition(predictions, n)
    return sum(cover_single(partition(a, n), pred) for a in annotations.values()) / len(annotations)


def find_data(explicit):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    for candidate in [explicit, os.environ.get("TCPD_DIR"), os.path.join(root, "..", "shared", "tcpd"),
                      os.path.join(root, ".tcpd")]:
        if candidate and os.path.isfile(os.path.join(candidate, "annotations.json")):
            return candidate
    return None


def load_dataset(data, name):
    for path in (os.path.join(data, "datasets", name + ".json"), os.path.join(data, "datasets", name, name + ".json")):
        if os.path.isfile(path):
            with open(path) as f:
                return json.load(f)
    return None


def run_headroom(binary, values, extra):
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write("value\n")
        for v in values:
            f.write("" if v is None else repr(float(v)))
            f.write("\n")
        path = f.name
    try:
        out = subprocess.run([binary, "changepoints", path, "--format", "json"] + extra, check=True,
                             capture_output=True, text=True).stdout
    finally:
        os.unlink(path)
    return [row["index"] for row in json.loads(out)["changepoints"]]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--headroom", default=".build/release/headroom")
    parser.add_argument("--data")
    parser.add_argument("--per-dataset", action="store_true")
    parser.add_argument("extra", nargs="*", help="extra arguments for `headroom changepoints` (after --)")
    args = parser.parse_args()
    data = find_data(args.data)
    if data is None:
        print("TCPD not found (set TCPD_DIR or --data to a folder with annotations.json and datasets/); skipped")
        return 0
    with open(os.path.join(data, "annotations.json")) as f:
        annotations = json.load(f)
    published = None
    if os.path.isfile(os.path.join(data, "published_default.json")):
        with open(os.path.join(data, "published_default.json")) as f:
            published = json.load(f)
    rows = []
    for name in sorted(annotations):
        ds = load_dataset(data, name)
        if ds is None or len(ds["series"]) != 1:
            continue  # absent here, or multivariate (TCPDBench scores those in a table of their own)
        values = ds["series"][0]["raw"]
        n = len(values)
        cps = run_headroom(args.headroom, values, args.extra)
        rows.append((name, n, cps, f_measure(annotations[name], cps), covering(annotations[name], cps, n)))
    if not rows:
        print(f"no univariate TCPD dataset under {data}; skipped")
        return 0
    methods = published["methods"] if published else []

    def published_score(metric, name, i):
        value = published[metric].get(name, [None] * len(methods))[i]
        return 0.0 if value is None else value  # a failed run scores 0, as in TCPDBench's tables

    if args.per_dataset:
        print(f"{'dataset':20s} {'n':>5s} {'F1':>5s} {'cover':>5s}  change points")
        for name, n, cps, f1, cov in rows:
            print(f"{name:20s} {n:5d} {f1:5.2f} {cov:5.2f}  {cps}")
        print()
    k = len(rows)
    print(f"TCPD, {k} univariate datasets (data: {data})")
    print(f"{'method':22s} {'F1':>6s} {'cover':>6s}")
    print(f"{'headroom (default)':22s} {sum(r[3] for r in rows) / k:6.3f} {sum(r[4] for r in rows) / k:6.3f}")
    for i, method in enumerate(methods):
        f1 = sum(published_score("f1", r[0], i) for r in rows) / k
        cov = sum(published_score("cover", r[0], i) for r in rows) / k
        print(f"{method + ' (published)':22s} {f1:6.3f} {cov:6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
