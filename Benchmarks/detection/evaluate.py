#!/usr/bin/env python3
"""Scores change-point detectors on a simulated fleet (`headroom simulate`) against its truth.csv.

    evaluate.py FLEET_DIR HEADROOM_JSON [--subset N] [--headroom-subset-json FILE --headroom-subset-seconds S]

Headroom's `detect --series --format json` output is scored on the whole fleet; ruptures (BinSeg and PELT, l2 cost,
BIC penalty 2·σ²·ln n with σ from the MAD of first differences) runs on the first N series in one process, and
Headroom's result on the same N series (a separate run over a CSV holding only them) gives the throughput ratio and
the like-for-like F1 and cover.

Metrics:
  - recall of persistent steps (regression/improvement) by size in MDE units: a step counts when the detector
    reports a persistent change of the right direction within 5 points (headroom: lead or member of a reported
    regression/improvement; ruptures: any breakpoint);
  - false positives per 1000 non-step series (clean, spike, transient; with or without a daily cycle): series with
    any persistent change reported;
  - precision of persistent reports over series whose truth is clean/spike/transient/regression/improvement;
  - TCPD F1 (margin 5, both sets include 0) and cover (van den Burg & Williams 2020), mean over series, where the
    true change points are a step's index, a transient's start and end, a shift's index; spikes and drift have none.
"""
import argparse, csv, json, math, os, sys, time
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tcpd  # noqa: E402  (TCPDBench's covering, shared)

MARGIN = 5
BINS = [(0, 1), (1, 1.5), (1.5, 2), (2, 3), (3, 5), (5, 1e9)]


def read_truth(fleet):
    with open(os.path.join(fleet, "truth.csv")) as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["index"] = int(r["index"]) if r["index"] else None
        r["end_index"] = int(r["end_index"]) if r["end_index"] else None
        r["size_mde"] = float(r["size_mde"]) if r["size_mde"] else None
        r["seasonal"] = r["seasonal"] == "1"
    return rows


def true_cps(t):
    k = t["kind"]
    if k in ("regression", "improvement", "shift"):
        return [t["index"]]
    if k == "transient":
        return [t["index"], t["end_index"]]
    return []


def tcpd_f1(truth, pred, n):
    T = sorted(set([0] + truth))
    X = set([0] + [p for p in pred if 0 < p < n])
    tp = 0
    for tau in T:
        close = sorted((abs(tau - x), x) for x in X if abs(tau - x) <= MARGIN)
        if close:
            tp += 1
            X.remove(close[0][1])
    P = tp / len(set([0] + [p for p in pred if 0 < p < n]))
    R = tp / len(T)
    return 0.0 if P + R == 0 else 2 * P * R / (P + R)


def cover(truth, pred, n):
    """Covering of the one true segmentation by the predicted one (tcpd.py's, with a single annotator)."""
    return tcpd.cover_single(tcpd.partition(truth, n), tcpd.partition(pred, n))


def headroom_events(path):
    """series -> list of (row, kind) persistent, and list of (start, end) transients."""
    with open(path) as f:
        data = json.load(f)
    persistent, transients = defaultdict(list), defaultdict(list)
    for g in data["regressions"]:
        kind = g["kind"]
        persistent[g["series"]].append((g["index"], kind))
        for m in g["members"]:
            persistent[m["series"]].append((m["index"], kind))
    for t in data["transients"]:
        transients[t["series"]].append((t["index"], t["end_index"]))
    return persistent, transients, data["summary"]


def score(truth, persistent, transients, n, label):
    """Returns a dict of metrics for one detector; persistent: series -> [(row, kind or None)]."""
    hits = defaultdict(lambda: [0, 0])
    fp_series = defaultdict(lambda: [0, 0])
    reported = correct = 0
    f1s, covers = [], []
    transient_seen = [0, 0]
    for t in truth:
        s, k = t["series"], t["kind"]
        events = persistent.get(s, [])
        cps = [r for r, _ in events] + [x for a, b in transients.get(s, []) for x in (a, b) if x is not None]
        f1s.append(tcpd_f1(true_cps(t), cps, n))
        covers.append(cover(true_cps(t), cps, n))
        if k in ("regression", "improvement"):
            want = "regression" if k == "regression" else "improvement"
            ok = any(abs(r - t["index"]) <= MARGIN and (kind is None or kind == want) for r, kind in events)
            for lo, hi in BINS:
                if lo <= t["size_mde"] < hi:
                    hits[(lo, hi)][0] += ok
                    hits[(lo, hi)][1] += 1
            reported += len(events)
            correct += min(1, sum(abs(r - t["index"]) <= MARGIN for r, _ in events))
        elif k in ("clean", "spike", "transient"):
            group = k + ("+daily" if t["seasonal"] else "")
            fp_series[group][0] += bool(events)
            fp_series[group][1] += 1
            reported += len(events)
            if k == "transient":
                transient_seen[0] += bool(transients.get(s)) and not events
                transient_seen[1] += 1
    clean_fp = sum(v[0] for v in fp_series.values())
    clean_n = sum(v[1] for v in fp_series.values())
    steps = sum(v[1] for v in hits.values())
    big = [v for (lo, hi), v in hits.items() if lo >= 1.5]
    return {
        "label": label,
        "recall_by_mde": {f"{lo:g}-{hi:g}" if hi < 1e9 else f"≥{lo:g}": (v[0] / v[1] if v[1] else None, v[1]) for (lo, hi), v in sorted(hits.items())},
        "recall_ge_1_5": sum(v[0] for v in big) / max(1, sum(v[1] for v in big)),
        "fp_per_1000": 1000 * clean_fp / max(1, clean_n),
        "fp_detail": {g: f"{v[0]}/{v[1]}" for g, v in sorted(fp_series.items())},
        "precision": correct / reported if reported else 1.0,
        "f1": sum(f1s) / len(f1s),
        "cover": sum(covers) / len(covers),
        "transients_recognised": transient_seen[0] / max(1, transient_seen[1]),
        "steps": steps,
        "clean_series": clean_n,
    }


def read_series(fleet, names):
    wanted = set(names)
    values = defaultdict(list)
    with open(os.path.join(fleet, "series.csv")) as f:
        next(f)
        for line in f:
            s, _, v = line.rstrip("\n").split(",")
            if s in wanted:
                values[s].append(float(v))
            elif len(values) == len(wanted) and s not in values:
                break
    return values


def run_ruptures(values, method):
    import numpy as np
    import ruptures as rpt
    out = {}
    start = time.perf_counter()
    for s, v in values.items():
        x = np.asarray(v)
        n = len(x)
        sigma = 1.4826 * np.median(np.abs(np.diff(x))) / math.sqrt(2)
        pen = 2 * max(sigma, 1e-12) ** 2 * math.log(n)
        algo = (rpt.Binseg(model="l2", min_size=5, jump=1) if method == "binseg" else rpt.Pelt(model="l2", min_size=5, jump=1)).fit(x)
        out[s] = [(b, None) for b in algo.predict(pen=pen)[:-1]]
    return out, time.perf_counter() - start


def print_table(results, n_series):
    bins = list(results[0]["recall_by_mde"].keys())
    print(f"{'detector':<28}" + "".join(f"{'R ' + b:>11}" for b in bins) + f"{'R≥1.5':>8}{'FP/1000':>9}{'prec':>7}{'F1':>7}{'cover':>7}{'series/s':>11}")
    for r in results:
        row = f"{r['label']:<28}"
        for b in bins:
            rec, cnt = r["recall_by_mde"].get(b, (None, 0))
            row += f"{('%.2f' % rec) if rec is not None else '-':>7}({cnt:>2})" if cnt < 100 else f"{('%.2f' % rec) if rec is not None else '-':>11}"
        row += f"{r['recall_ge_1_5']:>8.3f}{r['fp_per_1000']:>9.1f}{r['precision']:>7.3f}{r['f1']:>7.3f}{r['cover']:>7.3f}"
        row += f"{r.get('throughput', float('nan')):>11.0f}"
        print(row)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("fleet")
    ap.add_argument("headroom_json")
    ap.add_argument("--subset", type=int, default=0)
    ap.add_argument("--headroom-subset-json")
    ap.add_argument("--headroom-subset-seconds", type=float)
    ap.add_argument("--headroom-seconds", type=float)
    args = ap.parse_args()
    truth = read_truth(args.fleet)
    persistent, transients, summary = headroom_events(args.headroom_json)
    n = summary["points"] // summary["series"]
    full = score(truth, persistent, transients, n, "headroom (whole fleet)")
    if args.headroom_seconds:
        full["throughput"] = summary["series"] / args.headroom_seconds
    print(f"fleet: {len(truth)} series × {n} points; kinds: " + ", ".join(f"{k} {sum(t['kind'] == k for t in truth)}" for k in sorted({t['kind'] for t in truth})))
    print(f"headroom: {summary['regressions']} persistent events (grouped), {summary['transients']} transients, {summary['seasonal_series']} series deseasonalised")
    results = [full]
    if args.subset:
        sub = truth[: args.subset]
        values = read_series(args.fleet, [t["series"] for t in sub])
        hp, ht, hs = headroom_events(args.headroom_subset_json)
        h = score(sub, hp, ht, n, f"headroom ({len(sub)} series)")
        h["throughput"] = len(sub) / args.headroom_subset_seconds
        results.append(h)
        for method in ("binseg", "pelt"):
            found, seconds = run_ruptures(values, method)
            r = score(sub, found, {}, n, f"ruptures {method} ({len(sub)})")
            r["throughput"] = len(sub) / seconds
            results.append(r)
    print()
    print_table(results, len(truth))
    print()
    for r in results:
        print(f"{r['label']}: false-positive series by kind: {r['fp_detail']}; transients recognised {r['transients_recognised']:.2f}")
    if args.subset:
        h, b = results[1], results[2]
        print()
        print(f"throughput ratio headroom / ruptures BinSeg (same {args.subset} series): {h['throughput'] / b['throughput']:.0f}×"
              f"  (F1 {h['f1']:.3f} vs {b['f1']:.3f}; cover {h['cover']:.3f} vs {b['cover']:.3f})")
    json.dump(results, open(os.path.join(args.fleet, "evaluation.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
