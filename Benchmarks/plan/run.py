#!/usr/bin/env python3
"""Capacity-plan backtest: `headroom plan --series` against the seasonal naive forecast, on held-out data.

    Benchmarks/plan/run.py [--headroom BIN] [--services N] [--seed S] [--tcpd DIR]

Simulated services: N daily cores series of 120-360 days with what fleets show — growth or decline (0-0.6%/day,
some flat), a weekly cycle (weekends 5-35% lower), 0-2 level shifts (a regression, a migration: -30% to +30%),
noise of 2-8% (a third heavy-tailed, Student t with 3 degrees of freedom) and rare spikes. The last 28 days are
held out; the plan is fitted on the rest and forecasts 28 days.

Real series: the monthly TCPD series with a yearly cycle or a trend (airline passengers, business inventories,
construction spending, road casualties, licence applications, US population, an exchange rate), when the TCPD folder
is present (see Benchmarks/detection/README-tcpd.md); the last 24 months held out.

Prints, per set: the share of series where our MASE < 1 (MASE = out-of-sample MAE over the in-sample MAE of the
seasonal naive one-season-ahead forecast), the median MASE of ours and of the seasonal naive forecast itself, how
often ours beats the seasonal naive forecast on the held-out data, and the 80% / 95% interval coverage.
"""
import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


HORIZON = 28


def simulate(rng):
    """A service's daily cores, its noise-free signal, and that signal without the level shifts that happen inside
    the held-out days (what anyone could know at the forecast origin)."""
    days = rng.randint(120, 360)
    level = math.exp(rng.uniform(math.log(5), math.log(5000)))
    growth = rng.choice([0.0, rng.uniform(-0.002, 0.006)])
    weekend = rng.uniform(0.05, 0.35)
    noise = rng.uniform(0.02, 0.08)
    heavy = rng.random() < 1 / 3
    shifts = sorted(rng.sample(range(30, days - 10), rng.choice([0, 0, 1, 2])))
    factors = {d: rng.uniform(0.7, 1.3) for d in shifts}
    start = rng.randint(0, 6)
    values, clean, known, scale, unknown = [], [], [], 1.0, 1.0
    for d in range(days):
        scale *= factors.get(d, 1.0)
        if d >= days - HORIZON:
            unknown *= factors.get(d, 1.0)
        base = level * scale * (1 + growth) ** d
        weekly = 1 - weekend if (start + d) % 7 in (5, 6) else 1
        e = rng.gauss(0, 1) if not heavy else rng.gauss(0, 1) / math.sqrt(max(rng.gammavariate(1.5, 2) / 3, 1e-3))
        v = base * weekly * (1 + noise * e)
        if rng.random() < 0.01:
            v *= rng.uniform(1.5, 3)
        values.append(max(v, 0))
        clean.append(base * weekly)
        known.append(base * weekly / unknown)
    return values, clean, known


def naive_mae(history, m):
    return statistics.mean(abs(history[i] - history[i - m]) for i in range(m, len(history)))


def plan(binary, history, horizon, period, start=86400 * 19000, step=86400):
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write("timestamp,value\n")
        for i, v in enumerate(history):
            f.write(f"{start + i * step},{v!r}\n")
        path = f.name
    try:
        out = subprocess.run([binary, "plan", "--series", path, "--horizon", str(horizon), "--period", str(period),
                              "--format", "json"], check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(path)
    return json.loads(out)["forecast"]


def evaluate(binary, series, horizon, period):
    rows = []
    for name, values in series:
        history, actual = values[:-horizon], values[-horizon:]
        if len(history) < 2 * period + 2:
            continue
        forecast = plan(binary, history, horizon, period)
        scale = naive_mae(history, period)
        if scale <= 0:
            continue
        ours = statistics.mean(abs(a - f["mean"]) for a, f in zip(actual, forecast)) / scale
        naive = [history[len(history) - period + (h % period)] for h in range(horizon)]
        theirs = statistics.mean(abs(a - n) for a, n in zip(actual, naive)) / scale
        c80 = statistics.mean(f["lower_80"] <= a <= f["upper_80"] for a, f in zip(actual, forecast))
        c95 = statistics.mean(f["lower_95"] <= a <= f["upper_95"] for a, f in zip(actual, forecast))
        rows.append((name, ours, theirs, c80, c95))
    return rows


def report(label, rows, verbose):
    if not rows:
        print(f"{label}: no series")
        return
    n = len(rows)
    print(f"| {label} | {n} | {sum(r[1] < 1 for r in rows) / n:.0%} | {statistics.median(r[1] for r in rows):.2f} | "
          f"{statistics.median(r[2] for r in rows):.2f} | {sum(r[1] < r[2] for r in rows) / n:.0%} | "
          f"{statistics.mean(r[3] for r in rows):.0%} | {statistics.mean(r[4] for r in rows):.0%} |")
    if verbose:
        for r in rows:
            print(f"|   {r[0]} | | | {r[1]:.2f} | {r[2]:.2f} | | {r[3]:.0%} | {r[4]:.0%} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--headroom", default=os.path.join(ROOT, ".build", "release", "headroom"))
    ap.add_argument("--services", type=int, default=200)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--tcpd", default=os.environ.get("TCPD_DIR") or os.path.join(ROOT, ".tcpd"))
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    runs = [simulate(rng) for _ in range(args.services)]
    simulated = [(f"service-{i}", values) for i, (values, _, _) in enumerate(runs)]

    # Ceilings: the noise-free signal itself as the forecast (it still misses the noise and the spikes), and the same
    # signal without the level shifts that happen after the forecast origin (nothing before it can foretell them):
    # the best any forecaster could score.
    def ceiling(signal):
        return sum(statistics.mean(abs(a - c) for a, c in zip(values[-HORIZON:], signal(run)[-HORIZON:]))
                   < naive_mae(values[:-HORIZON], 7) for run in runs for values in [run[0]]) / len(runs)
    oracle = ceiling(lambda run: run[1])
    knowable = ceiling(lambda run: run[2])
    print("| set | series | MASE < 1 | median MASE (ours) | median MASE (seasonal naive) | ours beats naive | "
          "80% covers | 95% covers |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    report("simulated services, daily, 28 days ahead", evaluate(args.headroom, simulated, HORIZON, 7), False)
    print(f"(the noise-free signal itself as the forecast has MASE < 1 on {oracle:.0%} of the simulated services; "
          f"without the level shifts inside the held-out days, which no forecast can know, on {knowable:.0%})")
    names = ["jfk_passengers", "lga_passengers", "businv", "construction", "seatbelts", "shanghai_license",
             "us_population", "usd_isk"]
    real = []
    for name in names:
        path = os.path.join(args.tcpd, "datasets", name + ".json")
        if os.path.isfile(path):
            with open(path) as f:
                real.append((name, [v for v in json.load(f)["series"][0]["raw"] if v is not None]))
    if real:
        report("TCPD monthly series, 24 months ahead", evaluate(args.headroom, real, 24, 12), args.verbose)
    else:
        print("(TCPD not found: the real monthly series were skipped)")


if __name__ == "__main__":
    sys.exit(main())
