#!/usr/bin/env bash
# Dashboard render time on a store holding 10M samples, with /healthz on the same server as the reference (the
# HTTP floor), in one run.
#
#   Benchmarks/serve/dashboard.sh [REQUESTS]     (default 100 per page)
#
# Builds release binaries, fills (once, cached in .build-bench/mcp, shared with Benchmarks/mcp) a store with 10 pprof
# profiles of 1M samples each from headroom-synth (10M samples, ~20k stacks, ~6k functions) and detects on it, copies
# it, serves the copy, and times each page's first view, then REQUESTS views interleaved with /healthz from one Python
# client: p50, p99 and max per page, the ratio of each p99 to /healthz's, and whether p99 is within the 200 ms target.
# Flame graphs are drawn once per page and data version (a new profile of the service draws them again).
set -euo pipefail
cd "$(dirname "$0")/../.."
requests="${1:-100}"
work="${BENCH_DIR:-.build-bench}/mcp"
mkdir -p "$work"
scripts/ensure-tools.sh >/dev/null
swift build -c release --product headroom >/dev/null
swift build -c release --product headroom-synth >/dev/null
bin=.build/release
. Benchmarks/lib/store10m.sh
store10m "$work"
served="$work/dashboard.sqlite"
rm -f "$served"*
cp "$store" "$served"
"$bin/headroom" serve --store "$served" --listen 127.0.0.1:0 --detect-every 0 --rescan-every 0 2>"$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q 'listening on' "$work/serve.log" && break; sleep 0.1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.log" | head -1)
python3 - "$base" "$requests" <<'PY'
import json, sys, time, urllib.request
base, n = sys.argv[1], int(sys.argv[2])
def get(path):
    t = time.perf_counter()
    with urllib.request.urlopen(base + path, timeout=60) as r:
        r.read()
        status = r.status
    return status, (time.perf_counter() - t) * 1000
regressions = json.load(urllib.request.urlopen(base + "/api/v1/regressions"))["regressions"]
pages = ["/", "/opportunities", "/services/bench/flame"]
if regressions:
    rid = regressions[0]["id"]
    pages += [f"/regressions/{rid}", f"/regressions/{rid}/flame"]
# The first view of each page (a flame graph reads every stack of its range), then the timed views.
first = {p: get(p)[1] for p in pages}
times = {p: [] for p in ["/healthz"] + pages}
for _ in range(n):
    for p in times:
        status, ms = get(p)
        if status != 200:
            sys.exit(f"{p}: HTTP {status}")
        times[p].append(ms)
def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]
floor = pct(times["/healthz"], 0.99)
print(f"10M-sample store, {len(regressions)} regressions, {n} requests per page (interleaved)")
print("| page | first view | p50 | p99 | max | p99 / healthz p99 | p99 ≤ 200 ms |")
print("|---|---:|---:|---:|---:|---:|---|")
for p, xs in times.items():
    p99 = pct(xs, 0.99)
    once = f"{first[p]:.0f} ms" if p in first else "-"
    print(f"| {p} | {once} | {pct(xs, 0.5):.1f} ms | {p99:.1f} ms | {max(xs):.1f} ms | {p99 / floor:.1f} | "
          f"{'yes' if p99 <= 200 else 'NO'} |")
PY
