#!/usr/bin/env python3
"""Root-cause evaluation: generate scenarios, run the real CLI over them, score the ranking against ground truth.

    evaluate.py --headroom PATH --seeds 101-120 [--work DIR] [--json OUT] [--keep]

For each seed: generate.py writes a code repository, a configuration repository, deploys and profiles; then
`headroom changes import` (both repositories), `deploys import`, `ingest` (every bucket), `detect`, and
`rootcause ID --format json` for every detected regression. A detected regression is matched to a planted culprit
when its onset is the culprit's window and its function (or a member of its event) is the planted regressed one.

Prints top-1 / top-3 accuracy overall and per scenario kind, detection coverage, and time per regression (wall
time of the rootcause process, startup included). With --json, also writes every ranked candidate's features so
the scoring weights can be refitted and ablated (see fit.py).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, **kw):
    result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{result.stderr.strip()}")
    return result.stdout


def seeds_of(text):
    out = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            out += range(int(a), int(b) + 1)
        else:
            out.append(int(part))
    return out


def evaluate_seed(headroom, seed, work, windows, per_window):
    out = os.path.join(work, f"seed-{seed}")
    shutil.rmtree(out, ignore_errors=True)
    run([sys.executable, os.path.join(HERE, "generate.py"), "--seed", str(seed), "--out", out,
         "--windows", str(windows), "--commits-per-window", str(per_window)])
    store = os.path.join(out, "store.sqlite")
    hr = [headroom]
    started = time.time()
    run(hr + ["changes", "import", "--repo", os.path.join(out, "repo"), "--store", store])
    print(f"seed {seed}: imported the code repository in {time.time() - started:.1f} s", file=sys.stderr)
    run(hr + ["changes", "import", "--repo", os.path.join(out, "config"), "--kind", "config", "--service", "svc",
              "--store", store])
    run(hr + ["deploys", "import", os.path.join(out, "deploys.csv"), "--store", store])
    prof = os.path.join(out, "profiles")
    for name in sorted(os.listdir(prof)):
        run(hr + ["ingest", os.path.join(prof, name), "--service", "svc", "--at", name.split(".")[0],
                  "--store", store])
    detected = json.loads(run(hr + ["detect", "--format", "json", "--store", store]))["regressions"]
    truth = json.load(open(os.path.join(out, "truth.json")))
    culprits = truth["culprits"]
    rows = []
    matched = set()
    for reg in detected:
        if reg.get("kind") != "regression":
            continue
        onset = reg["timestamp"]
        onset = onset if isinstance(onset, int) else iso_to_unix(onset)
        names = [reg["function"]] + [m.split(" (")[0] for m in reg.get("members", [])]
        names = [n.split(" (")[0] for n in names]
        match = None
        for i, c in enumerate(culprits):
            if i in matched or not (c["deploy"] <= onset <= c["deploy"] + 3600):
                continue
            if c["regressed"] == names[0] or (match is None and c["regressed"] in names):
                match = i
                if c["regressed"] == names[0]:
                    break
        started = time.time()
        ranked = json.loads(run(hr + ["rootcause", str(reg["id"]), "--format", "json", "--store", store]))
        seconds = time.time() - started
        refs = [c["ref"] for c in ranked["candidates"]]
        row = {"seed": seed, "regression": reg["id"], "function": names[0], "seconds": seconds,
               "candidates": len(refs), "top": refs[:3],
               "confidence": ranked["candidates"][0]["confidence"] if refs else 0,
               "features": [{"ref": c["ref"], "features": c["features"]} for c in ranked["candidates"]]}
        if match is None:
            row["matched"] = False
        else:
            matched.add(match)
            c = culprits[match]
            row.update(matched=True, kind=c["kind"], signal=c["signal"], culprit=c["culprit"],
                       rank=refs.index(c["culprit"]) + 1 if c["culprit"] in refs else None)
        rows.append(row)
    missed = [c for i, c in enumerate(culprits) if i not in matched]
    return rows, missed, truth["commits"]


def iso_to_unix(text):
    import datetime
    return int(datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--headroom", required=True)
    parser.add_argument("--seeds", default="101-120")
    parser.add_argument("--work", default="/tmp/headroom-rootcause-eval")
    parser.add_argument("--windows", type=int, default=12)
    parser.add_argument("--commits-per-window", type=int, default=20)
    parser.add_argument("--json")
    parser.add_argument("--keep", action="store_true")
    a = parser.parse_args()
    os.makedirs(a.work, exist_ok=True)
    rows, missed, commits = [], [], 0
    for seed in seeds_of(a.seeds):
        r, m, n = evaluate_seed(a.headroom, seed, a.work, a.windows, a.commits_per_window)
        rows += r
        missed += [dict(x, seed=seed) for x in m]
        commits += n
        if not a.keep:
            shutil.rmtree(os.path.join(a.work, f"seed-{seed}"), ignore_errors=True)
        done = [x for x in r if x["matched"]]
        print(f"seed {seed}: {len(done)} planted regressions found, top-1 "
              f"{sum(1 for x in done if x['rank'] == 1)}/{len(done)}, missed {len(m)}", file=sys.stderr)
    scored = [x for x in rows if x["matched"]]
    report(scored, missed, rows, commits, seeds_of(a.seeds))
    if a.json:
        with open(a.json, "w") as handle:
            json.dump({"rows": rows, "missed": missed}, handle)


def report(scored, missed, rows, commits, seeds):
    def acc(subset, k):
        return sum(1 for x in subset if x["rank"] is not None and x["rank"] <= k) / max(len(subset), 1)

    print(f"seeds {seeds[0]}–{seeds[-1]} ({len(seeds)} scenarios sets, {commits} commits in all)")
    print(f"{'kind':<10}{'n':>5}{'top-1':>9}{'top-3':>9}{'candidates':>12}")
    for kind in ["direct", "callee", "config", "all"]:
        subset = scored if kind == "all" else [x for x in scored if x["kind"] == kind]
        if not subset:
            continue
        cands = sum(x["candidates"] for x in subset) / len(subset)
        print(f"{kind:<10}{len(subset):>5}{acc(subset, 1):>9.3f}{acc(subset, 3):>9.3f}{cands:>12.1f}")
    times = sorted(x["seconds"] for x in rows)
    if times:
        print(f"time per regression: median {times[len(times) // 2] * 1000:.0f} ms, "
              f"max {times[-1] * 1000:.0f} ms (rootcause process, startup included)")
    print(f"planted regressions not detected: {len(missed)}; detections not matched to a plant: "
          f"{sum(1 for x in rows if not x['matched'])}")
    wrong = [x for x in scored if x["rank"] != 1]
    for x in wrong[:10]:
        print(f"  miss: seed {x['seed']} {x['kind']}/{x['signal']} {x['function']} rank {x['rank']} "
              f"(culprit {x['culprit'][:7]}, top {[t[:7] for t in x['top']]})")


if __name__ == "__main__":
    main()
